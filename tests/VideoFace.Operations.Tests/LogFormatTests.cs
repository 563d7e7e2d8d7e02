using System.Globalization;
using System.Net;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;

namespace VideoFace.Operations.Tests;

/// <summary>
/// The silo process (videoface-silo) with <c>Logging:Console:FormatterName=json</c>: every line it writes is one JSON
/// object, and an idle server's first seconds carry no Polly or Orleans lines below Warning (24 Polly lines in 20 s before).
/// </summary>
public sealed class LogFormatTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SiloProcess_JsonFormatter_EveryLineJson_InternalsOnlyWhenVerbose(bool verbose)
    {
        var folder = TestVideos.TempFolder("ops-json-log");
        var p = Ports.Free(3);
        var inv = CultureInfo.InvariantCulture;
        await using var silo = new ChildProcess("silo", "dotnet",
        [
            SiloProcess.Dll,
            $"--VideoFace:DataDirectory={Path.Combine(folder, "data")}",
            string.Create(inv, $"--VideoFace:SiloPort={p[0]}"),
            string.Create(inv, $"--VideoFace:GatewayPort={p[1]}"),
            string.Create(inv, $"--VideoFace:HttpPort={p[2]}"),
            $"--Vision:ModelsDirectory={TestData.Models}",
            "--Vision:IntraOpThreads=1",
            "--Logging:Console:FormatterName=json",
            $"--VideoFace:Verbose={verbose}",
        ], folder);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p[2]}"), Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(() => !silo.HasExited && Ready(http), TimeSpan.FromSeconds(90), $"the silo is ready\n{silo.Tail()}", TimeSpan.FromMilliseconds(500));

        // what an idle server does in its first seconds: grain activations (placement), membership, a few API calls
        var key = (await File.ReadAllTextAsync(Path.Combine(folder, "data", "api-key"))).Trim();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var i = 0; i < 5; i++) (await http.GetAsync("/api/cameras")).Dispose();
        await Poll.UntilAsync(() => silo.Output.Any(l => l.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the host's started line");

        var lines = silo.Output.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var entries = new List<JsonElement>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line); // throws on a line that is not JSON
            entries.Add(doc.RootElement.Clone());
        }
        Assert.All(entries, e => Assert.True(e.TryGetProperty("Category", out _) && e.TryGetProperty("LogLevel", out _), e.ToString()));
        var internals = entries.Where(e =>
            e.GetProperty("Category").GetString() is { } c && (c.StartsWith("Polly", StringComparison.Ordinal) || c.StartsWith("Orleans", StringComparison.Ordinal))
            && e.GetProperty("LogLevel").GetString() is "Trace" or "Debug" or "Information").ToList();
        if (verbose) Assert.NotEmpty(internals);
        else Assert.True(internals.Count == 0, string.Join('\n', internals.Take(5)));
    }

    private static bool Ready(HttpClient http)
    {
        try
        {
            using var r = http.GetAsync("/health/ready").GetAwaiter().GetResult();
            return r.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}

/// <summary>silos/VideoFace.Silo's build output, same configuration as this test assembly (the project reference builds it).</summary>
internal static class SiloProcess
{
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "silos", "VideoFace.Silo", "bin", configuration, "net10.0", "videoface-silo.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build silos/VideoFace.Silo first", dll);
        }
    }
}
