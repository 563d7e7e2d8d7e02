using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using VideoFace.Cluster.Tests.Support;

namespace VideoFace.Api.Tests;

/// <summary>
/// The served OpenAPI document feeds a client generator: every operation typed, errors as problem details, the key
/// scheme applied, tags per resource; NSwag generates a C# client from it, which is compiled here and used against the
/// host for a camera, an enrolment, a search and an alert rule; Redocly CLI lints it without errors.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class OpenApiClientTests(ApiHostFixture fx)
{
    private async Task<string> DocumentAsync()
    {
        using var http = fx.Client(null);
        return await http.GetStringAsync("/openapi/v1.json");
    }

    [Fact]
    public async Task Document_EveryOperationTypedWithProblemErrors_KeySchemeApplied_TaggedByResource()
    {
        using var doc = JsonDocument.Parse(await DocumentAsync());
        var root = doc.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        int operations = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        {
            operations++;
            var where = $"{op.Name.ToUpperInvariant()} {path.Name}";
            Assert.True(op.Value.TryGetProperty("operationId", out _), where + " has no operationId");
            Assert.True(op.Value.GetProperty("tags").GetArrayLength() > 0, where + " has no tag");
            var responses = op.Value.GetProperty("responses");
            var success = responses.EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            Assert.True(success.Count > 0, where + " has no 2xx response");
            foreach (var s in success.Where(s => s.Name != "204"))
                Assert.True(s.Value.TryGetProperty("content", out var c) && c.EnumerateObject().Any(), $"{where} {s.Name} has no typed content");
            if (!path.Name.StartsWith("/api/", StringComparison.Ordinal)) continue;
            Assert.True(op.Value.GetProperty("security").GetArrayLength() > 0, where + " does not apply the key scheme");
            foreach (var status in new[] { "401", "500" })
                Assert.True(responses.TryGetProperty(status, out var e) && e.GetProperty("content").TryGetProperty("application/problem+json", out _),
                    $"{where} does not declare {status} as problem details");
        }
        Assert.True(operations >= 25, $"{operations} operations");
    }

    [Fact]
    public async Task Document_PassesRedoclyLint()
    {
        var redocly = Path.Combine(RepoPaths.Root, "tools", "redocly", "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), "Redocly CLI is installed by scripts/setup.sh under tools/redocly");
        var file = Path.Combine(fx.Folder, "openapi.json");
        await File.WriteAllTextAsync(file, await DocumentAsync());
        var psi = new ProcessStartInfo(redocly) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "lint", file, "--format", "stylish" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "redocly.yaml"));
        psi.Environment["REDOCLY_TELEMETRY"] = "off";
        psi.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(p.ExitCode == 0, $"redocly lint found errors:\n{await stdout}\n{await stderr}");
    }

    [Fact]
    public async Task GeneratedClient_AddsACameraEnrolsSearchesAndAddsARule()
    {
        var document = await OpenApiDocument.FromJsonAsync(await DocumentAsync());
        var settings = new CSharpClientGeneratorSettings { ClassName = "VideoFaceClient", UseBaseUrl = true, InjectHttpClient = true, GenerateClientInterfaces = false };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        var assembly = Compile(code);
        var clientType = assembly.GetType("Generated.VideoFaceClient", throwOnError: true)!;
        using var http = fx.Client(fx.AdminKey);
        // NSwag's constructor is (baseUrl, httpClient) or (httpClient) with a BaseUrl property, depending on the document's servers
        var ctor = clientType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        dynamic client = ctor.GetParameters().Length == 2
            ? ctor.Invoke([fx.BaseAddress.ToString().TrimEnd('/'), http])
            : ctor.Invoke([http]);
        if (clientType.GetProperty("BaseUrl") is { CanWrite: true } baseUrl) baseUrl.SetValue(client, fx.BaseAddress.ToString().TrimEnd('/'));

        dynamic camera = New(assembly, "CameraRequest");
        camera.Url = "rtsp://127.0.0.1:9/generated";
        camera.Enabled = false;
        camera.Name = "From the generated client";
        dynamic cam = await client.PutCameraAsync("gen-cam", camera);
        Assert.Equal("gen-cam", (string)cam.Id);
        Assert.Equal("From the generated client", (string)cam.Name);

        var fileType = assembly.GetType("Generated.FileParameter", throwOnError: true)!;
        var photos = Directory.GetFiles(Path.Combine(TestData.Faces, "Colin_Powell")).Order(StringComparer.Ordinal).Take(2)
            .Select(f => Activator.CreateInstance(fileType, File.OpenRead(f), Path.GetFileName(f))).ToArray();
        var list = Array.CreateInstance(fileType, photos.Length);
        for (int i = 0; i < photos.Length; i++) list.SetValue(photos[i], i);
        // the enrolment takes name, files and the optional force flag (form field and query): fill them by name
        var enrol = clientType.GetMethods().Single(m => m.Name == "EnrolPersonAsync" && m.GetParameters().All(p => p.ParameterType != typeof(CancellationToken)));
        dynamic enrolled = await (dynamic)enrol.Invoke(client, enrol.GetParameters()
            .Select(p => p.Name switch { "name" => "Colin Powell", "files" => (object)list, _ => null }).ToArray())!;
        Assert.Equal("Colin Powell", (string)enrolled.Name);

        // the search operation takes JSON or multipart; depending on the document NSwag generates the multipart form
        // (a photo parameter) or the JSON body (an embedding): fill whichever it made
        var search = clientType.GetMethods().Single(m => m.Name == "SearchAsync" && m.GetParameters().All(p => p.ParameterType != typeof(CancellationToken)));
        var args = search.GetParameters().Select(p =>
            p.ParameterType == fileType ? Activator.CreateInstance(fileType, File.OpenRead(TestData.Face("Tony_Blair", 6)), "tony.jpg")
            : p.ParameterType.GetProperty("Embedding") is { } embedding ? EmbeddingBody(p.ParameterType, embedding)
            : null).ToArray();
        dynamic answer = await (dynamic)search.Invoke(client, args)!;
        Assert.NotNull(Json(answer, "hits"));
        Assert.Equal(0.45, Convert.ToDouble(Json(answer, "match_threshold"), System.Globalization.CultureInfo.InvariantCulture), 3);

        dynamic rule = New(assembly, "AlertRuleRequest");
        rule.Id = "gen-rule";
        rule.Person = "Colin Powell";
        dynamic stored = await client.AddAlertRuleAsync(rule);
        Assert.Equal("gen-rule", (string)stored.Id);
        Assert.Equal((string)enrolled.Id, (string?)Json(stored, "person_id"));

        // an error arrives as the generator's exception with the problem body's status
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => (Task)client.GetCameraAsync("no-such-camera"));
        Assert.Equal(404, (int)((dynamic)ex).StatusCode);
    }

    /// <summary>The generated property whose JSON name is <paramref name="jsonName"/>.</summary>
    private static object? Json(object value, string jsonName) => value.GetType().GetProperties()
        .Single(p => p.GetCustomAttributes().Any(a => a.GetType().Name == "JsonPropertyNameAttribute" && (string?)a.GetType().GetProperty("Name")!.GetValue(a) == jsonName))
        .GetValue(value);

    /// <summary>A generated JSON search body holding a unit vector of the default pack's 512 dimensions.</summary>
    private static object EmbeddingBody(Type type, PropertyInfo embedding)
    {
        var body = Activator.CreateInstance(type)!;
        var values = Enumerable.Repeat(1f / MathF.Sqrt(512), 512).ToList();
        object value = embedding.PropertyType.IsArray ? values.ToArray()
            : embedding.PropertyType.IsAssignableFrom(typeof(List<float>)) ? values
            : embedding.PropertyType.IsAssignableFrom(typeof(List<double>)) ? values.Select(v => (double)v).ToList()
            : values.Select(v => (double)v).ToArray();
        embedding.SetValue(body, value);
        return body;
    }

    private static object New(Assembly assembly, string type) => Activator.CreateInstance(assembly.GetType("Generated." + type, throwOnError: true)!)!;

    private static Assembly Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("VideoFace.GeneratedClient", [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var ms = new MemoryStream();
        var result = compilation.Emit(ms);
        Assert.True(result.Success, "the generated client does not compile:\n" +
            string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        return Assembly.Load(ms.ToArray());
    }
}
