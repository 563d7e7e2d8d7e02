using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>
/// The embedded server as `videoface up` runs it, in this test process: a data folder, free ports, the CPU device, the
/// loopback RTSP fixture allowed as a camera; its API client and key. Started again on the same folder and ports, it is
/// a restart.
/// </summary>
public sealed record EmbeddedApp(WebApplication App, Api Api, string Key) : IAsyncDisposable
{
    /// <summary>Starts the server on <paramref name="folder"/>/data; <paramref name="extra"/> adds or overrides settings.</summary>
    public static async Task<EmbeddedApp> StartAsync(string folder, int[] ports, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var settings = new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(folder, "data"),
            ["VideoFace:SiloName"] = "embedded",
            ["VideoFace:Devices"] = "cpu",
            ["VideoFace:SiloPort"] = ports[0].ToString(inv),
            ["VideoFace:GatewayPort"] = ports[1].ToString(inv),
            ["VideoFace:HttpPort"] = ports[2].ToString(inv),
            ["VideoFace:CameraReminderPeriod"] = "00:00:02",
            ["Vision:ModelsDirectory"] = TestData.Models,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var app = VideoFaceHost.Build([], TestSecurity.Allow(settings), builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        // the embedded profile writes its API key into the data folder, where the CLI on this machine reads it too
        var key = File.ReadAllText(Path.Combine(folder, "data", "api-key")).Trim();
        return new EmbeddedApp(app, new Api(new Uri($"http://127.0.0.1:{ports[2]}"), key), key);
    }

    /// <summary>clients/VideoFace.Cli's build output, same configuration as the test assembly (the project reference builds it).</summary>
    public static string CliDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "clients", "VideoFace.Cli", "bin", configuration, "net10.0", "videoface.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build clients/VideoFace.Cli first", dll);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
