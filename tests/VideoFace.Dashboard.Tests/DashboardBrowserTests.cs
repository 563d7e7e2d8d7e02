using VideoFace.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Hosting;
using Xunit.Abstractions;

namespace VideoFace.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser against a real embedded host: add a camera and see it streaming, enrol by photo upload,
/// see the person's event arrive live, search by photo, open the timeline, rename. Screenshots land in TestResults/screenshots.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Person = "George_W_Bush";
    private const string PersonName = "George W Bush";
    private readonly string _folder = TestVideos.TempFolder("dashboard");
    private WebApplication? _app;
    private int _httpPort;
    private string _video = "";

    public static string Screenshots => Path.Combine(RepoPaths.Root, "tests", "VideoFace.Dashboard.Tests", "TestResults", "screenshots");

    private static string Face(string person, int n) => Path.Combine(RepoPaths.SharedData, "faces-dev", person, $"{person}_{n:0000}.jpg");

    public async Task InitializeAsync()
    {
        BrowserTools.EnsureInstalled();
        // the enrolled person twice and someone else once, each followed by grey so tracks end (Appeared / Left)
        _video = await FaceVideo.CreateAsync(Path.Combine(_folder, "lobby.mp4"), [Face(Person, 2), Face("Colin_Powell", 38), Face(Person, 353)]);
        var ports = Ports.Free(3);
        _httpPort = ports[2];
        var inv = CultureInfo.InvariantCulture;
        _app = VideoFaceHost.Build([], TestSecurity.Allow(new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(_folder, "data"),
            ["VideoFace:Devices"] = "cpu",
            ["VideoFace:SiloPort"] = ports[0].ToString(inv),
            ["VideoFace:GatewayPort"] = ports[1].ToString(inv),
            ["VideoFace:HttpPort"] = ports[2].ToString(inv),
            ["Vision:ModelsDirectory"] = Path.Combine(RepoPaths.Root, "models"),
            ["Tracking:MaxAge"] = "00:00:01.500",
        }), builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task Dashboard_InHeadlessChromium_EnrolsAddsRulesAndCameraShowsAlertsSearchesAndMerges()
    {
        if (Directory.Exists(Screenshots)) Directory.Delete(Screenshots, recursive: true);
        var key = (await File.ReadAllTextAsync(Path.Combine(_folder, "data", "api-key"))).Trim();
        var result = await BrowserTools.RunScriptAsync("dashboard.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = $"http://127.0.0.1:{_httpPort}",
            ["API_KEY"] = key,
            ["VIDEO"] = _video,
            ["ENROL_NAME"] = PersonName,
            ["ENROL_PHOTOS"] = string.Join('\n', Face(Person, 3), Face(Person, 4)),
            ["SEARCH_PHOTO"] = Face(Person, 1),
            ["SCREENSHOTS"] = Screenshots,
        }, TimeSpan.FromSeconds(150));
        output.WriteLine(result.Output);
        Assert.True(result.ExitCode == 0, $"the browser script failed ({result.ExitCode}); screenshots in {Screenshots}\n{result.Output}");
        foreach (var shot in new[] { "01-preview.png", "02-cameras.png", "03-live.png", "04-search.png", "05-search-keyframe.png", "06-people.png", "07-merged.png" })
            Assert.True(File.Exists(Path.Combine(Screenshots, shot)), $"screenshot {shot} was saved");
    }
}

/// <summary>Debian's Chromium and playwright-core from tools/playwright (both installed by scripts/setup.sh), and running an e2e script with them.</summary>
internal static class BrowserTools
{
    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";

    public static string PlaywrightDir => Path.Combine(RepoPaths.Root, "tools", "playwright");

    public static void EnsureInstalled()
    {
        if (!File.Exists(Chromium)) throw new FileNotFoundException("Chromium is missing (Debian package 'chromium'); run scripts/setup.sh", Chromium);
        if (!Directory.Exists(Path.Combine(PlaywrightDir, "node_modules", "playwright-core")))
            throw new DirectoryNotFoundException($"playwright-core is missing under {PlaywrightDir}; run scripts/setup.sh");
    }

    public sealed record Result(int ExitCode, string Output);

    /// <summary>node e2e/{script} with the given environment; output (stdout and stderr, interleaved) returned for the test log.</summary>
    public static async Task<Result> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "VideoFace.Dashboard.Tests", "e2e", script);
        var psi = new ProcessStartInfo("node", [path]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        psi.Environment["PLAYWRIGHT_DIR"] = PlaywrightDir;
        psi.Environment["CHROMIUM"] = Chromium;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append($"timed out after {timeout.TotalSeconds:0} s");
            return new Result(-1, output.ToString());
        }
        process.WaitForExit(); // drains the redirected output
        lock (output) return new Result(process.ExitCode, output.ToString());
    }
}
