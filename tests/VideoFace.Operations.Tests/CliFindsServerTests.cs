using System.Diagnostics;
using System.Globalization;
using VideoFace.Cluster.Tests.Support;

namespace VideoFace.Operations.Tests;

/// <summary>
/// `videoface up --data X --http-port P` (neither the default) prints the lines that point another terminal's CLI at
/// it; `videoface status` with them shows the server, profile, cameras, people and the key's role; a CLI looking in
/// the wrong data folder gets a 401 that says where it looked and how to give the key.
/// </summary>
public sealed class CliFindsServerTests
{
    [Fact]
    public async Task Up_NonDefaultDataAndPort_PrintsExportLines_StatusWorks_WrongFolder401SaysWhereItLooked()
    {
        var folder = TestVideos.TempFolder("ops-cli");
        var data = Path.Combine(folder, "server-data");
        var p = Ports.Free(3);
        var inv = CultureInfo.InvariantCulture;
        await using var up = new ChildProcess("up", "dotnet",
        [
            Cli, "up", "--data", data, "--models", TestData.Models, "--device", "cpu",
            "--http-port", p[0].ToString(inv), "--silo-port", p[1].ToString(inv), "--gateway-port", p[2].ToString(inv),
        ], folder, new Dictionary<string, string?> { ["VIDEOFACE_DATA"] = Path.Combine(folder, "default-data"), ["VIDEOFACE_API_KEY"] = null });
        await Poll.UntilAsync(() => up.HasExited || up.Output.Any(l => l.Contains("VIDEOFACE_SERVER", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(120), "up prints how to find it");
        Assert.False(up.HasExited, up.Tail());
        var output = up.Output;
        Assert.Contains(output, l => l.Trim() == $"export VIDEOFACE_DATA='{data}'");
        Assert.Contains(output, l => l.Trim() == $"export VIDEOFACE_SERVER=http://127.0.0.1:{p[0]}");

        var env = new Dictionary<string, string?> { ["VIDEOFACE_DATA"] = data, ["VIDEOFACE_SERVER"] = $"http://127.0.0.1:{p[0]}", ["VIDEOFACE_API_KEY"] = null };
        var status = await RunAsync(env, "status");
        Assert.True(status.ExitCode == 0, status.Stderr + status.Stdout);
        Assert.Contains($"server    http://127.0.0.1:{p[0]} (silo ", status.Stdout);
        Assert.Contains("profile Embedded", status.Stdout);
        Assert.Contains("cameras   0", status.Stdout);
        Assert.Contains("people    0 enrolled, 0 unknown identities", status.Stdout);
        // the role as the server tells it (GET /api/me), else "admin (api-key file)"
        Assert.Matches(@"(?mi)^key\s+admin\b", status.Stdout);
        Assert.Contains(", from api-key file " + Path.Combine(data, "api-key"), status.Stdout);

        var wrong = Path.Combine(folder, "elsewhere");
        var denied = await RunAsync(new Dictionary<string, string?>(env) { ["VIDEOFACE_DATA"] = wrong }, "camera", "list");
        Assert.Equal(2, denied.ExitCode);
        Assert.Contains("401", denied.Stderr);
        Assert.Contains(Path.Combine(wrong, "api-key"), denied.Stderr);
        Assert.Contains("export VIDEOFACE_DATA=", denied.Stderr);
        Assert.Contains("--api-key", denied.Stderr);
    }

    /// <summary>clients/VideoFace.Cli's build output, same configuration as this test assembly (the project reference builds it).</summary>
    private static string Cli
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "clients", "VideoFace.Cli", "bin", configuration, "net10.0", "videoface.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build clients/VideoFace.Cli first", dll);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Cli);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
