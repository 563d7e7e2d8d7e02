using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;

namespace VideoFace.Api.Tests;

[CollectionDefinition(Name)]
public sealed class ApiHostCollection : ICollectionFixture<ApiHostFixture>
{
    public const string Name = "embedded API host";
}

/// <summary>
/// The embedded web host as `videoface up` runs it (CPU inference), seeded with data the tests must never lose: a
/// camera (disabled, so no ffmpeg runs), Tony Blair enrolled from two photos, an alert rule, and a viewer key.
/// </summary>
public sealed class ApiHostFixture : IAsyncLifetime
{
    public const string SeedCamera = "seed-cam";
    public const string SeedCameraName = "Seed camera";
    public const string SeedRule = "seed-rule";
    public const string SeedRuleName = "seed rule";
    public const string SeedPersonName = "Tony Blair";

    public string Folder { get; } = Directory.CreateTempSubdirectory("vf-api-").FullName;

    public string DataFolder => Path.Combine(Folder, "data");

    public WebApplication? Host { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public string AdminKey { get; private set; } = "";

    public string ViewerKey { get; private set; } = "";

    public string ViewerKeyId { get; private set; } = "";

    public string TonyId { get; private set; } = "";

    /// <summary>The index's embedding dimension (from the host's own error message for a 1-value embedding).</summary>
    public int Dimension { get; private set; }

    public async Task InitializeAsync()
    {
        var ports = Ports.Free(3);
        Host = VideoFaceHost.Build([], TestSecurity.Allow(new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = DataFolder,
            ["VideoFace:SiloName"] = "embedded",
            ["VideoFace:Devices"] = "cpu",
            ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Vision:ModelsDirectory"] = TestData.Models,
        }), builder => builder.Logging.ClearProviders());
        await Host.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}");
        AdminKey = File.ReadAllText(Path.Combine(DataFolder, "api-key")).Trim();

        using var admin = Client(AdminKey);
        (await admin.PutAsJsonAsync($"/api/cameras/{SeedCamera}", new { url = "rtsp://127.0.0.1:9/seed", enabled = false, name = SeedCameraName }))
            .EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent { { new StringContent(SeedPersonName), "name" } };
        foreach (var n in new[] { 6, 94 })
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(TestData.Face("Tony_Blair", n))), "files", $"tony{n}.jpg");
        var enrolled = await ReadAsync(await admin.PostAsync("/api/persons", form));
        TonyId = enrolled.GetProperty("id").GetString()!;
        await ReadAsync(await admin.PostAsJsonAsync("/api/alerts/rules", new { id = SeedRule, name = SeedRuleName, kind = "unknown", cameras = new[] { SeedCamera } }));
        var key = await ReadAsync(await admin.PostAsJsonAsync("/api/keys", new { role = "viewer", name = "guard" }));
        ViewerKey = key.GetProperty("key").GetString()!;
        ViewerKeyId = key.GetProperty("id").GetString()!;
        // a folder inside the blob store, which a blob key can name
        Directory.CreateDirectory(Path.Combine(DataFolder, "blobs", "folder-key", "inner"));

        using var probe = await admin.PostAsJsonAsync("/api/search", new { embedding = new[] { 1f } });
        var message = (await ReadProblemAsync(probe)).GetProperty("detail").GetString()!;
        var m = System.Text.RegularExpressions.Regex.Match(message, @"the index (\d+)$");
        Dimension = m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException("unexpected answer: " + message);
    }

    /// <summary>A client of the host sending <paramref name="key"/> (none when null).</summary>
    public HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) http.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        return http;
    }

    /// <summary>The seeded data is all there, unchanged; throws saying what is missing.</summary>
    public async Task AssertSeedIntactAsync(HttpClient admin)
    {
        var camera = await ReadAsync(await admin.GetAsync($"/api/cameras/{SeedCamera}"));
        Assert.Equal(SeedCameraName, camera.GetProperty("name").GetString());
        Assert.Equal("rtsp://127.0.0.1:9/seed", camera.GetProperty("url").GetString());
        var person = await ReadAsync(await admin.GetAsync($"/api/persons/{TonyId}"));
        Assert.Equal(SeedPersonName, person.GetProperty("person").GetProperty("name").GetString());
        var rule = await ReadAsync(await admin.GetAsync($"/api/alerts/rules/{SeedRule}"));
        Assert.Equal(SeedRuleName, rule.GetProperty("name").GetString());
        Assert.Equal(SeedCamera, Assert.Single(rule.GetProperty("cameras").EnumerateArray()).GetString());
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage r)
    {
        using (r)
        {
            var text = await r.Content.ReadAsStringAsync();
            if (!r.IsSuccessStatusCode) throw new HttpRequestException($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {text}");
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>The problem body of an error answer, after checking it is one (media type, status member, detail and error).</summary>
    public static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{(int)r.StatusCode} answer is {r.Content.Headers.ContentType?.MediaType ?? "without a body"}: {text}");
        using var doc = JsonDocument.Parse(text);
        var body = doc.RootElement.Clone();
        Assert.Equal((int)r.StatusCode, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()), text);
        Assert.Equal(body.GetProperty("detail").GetString(), body.GetProperty("error").GetString());
        return body;
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.StopAsync();
            await Host.DisposeAsync();
        }
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
