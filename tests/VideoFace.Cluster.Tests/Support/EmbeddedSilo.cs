using System.Globalization;
using System.Text.Json;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>
/// The embedded profile as `videoface up` runs it, but as its own process (videoface-silo.dll), so a test can kill it
/// with SIGKILL or stop it with SIGTERM and start the next one on the same data folder.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    public const string ApiKey = "embedded-process-test-key";

    private EmbeddedSilo(ChildProcess process, Api api)
    {
        Process = process;
        Api = api;
    }

    public ChildProcess Process { get; }

    public Api Api { get; }

    /// <summary>Starts a silo on <paramref name="dataDirectory"/> and waits until its API answers.</summary>
    public static async Task<EmbeddedSilo> StartAsync(string name, string dataDirectory, IEnumerable<string>? settings = null)
    {
        var p = Ports.Free(3);
        var inv = CultureInfo.InvariantCulture;
        string[] args =
        [
            Dll,
            $"--VideoFace:DataDirectory={dataDirectory}",
            "--VideoFace:SiloName=embedded",
            string.Create(inv, $"--VideoFace:SiloPort={p[0]}"),
            string.Create(inv, $"--VideoFace:GatewayPort={p[1]}"),
            string.Create(inv, $"--VideoFace:HttpPort={p[2]}"),
            "--VideoFace:Devices=cpu",
            $"--VideoFace:ApiKeys:0={ApiKey}",
            "--VideoFace:CameraReminderPeriod=00:00:02",
            $"--Vision:ModelsDirectory={TestData.Models}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:VideoFace=Information",
            .. TestSecurity.Settings.Select(kv => $"--{kv.Key}={kv.Value}"),
            .. settings ?? [],
        ];
        var process = new ChildProcess(name, "dotnet", args, Path.GetDirectoryName(dataDirectory));
        var silo = new EmbeddedSilo(process, new Api(new Uri($"http://127.0.0.1:{p[2]}"), ApiKey));
        try
        {
            await silo.PollAsync(async () => (await silo.Api.GetAsync("/health")).ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(120),
                $"silo {name} answers /health");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>Polls a condition against this silo with a deadline; HTTP errors while it starts count as "not yet", and a timeout names its last output.</summary>
    public Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Poll.UntilAsync(async () => !Process.HasExited ? await condition() : throw new ProcessExitedException(Process.Tail()), timeout, because,
            transient: ex => ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException,
            describe: () => Process.Tail(30), interval: TimeSpan.FromMilliseconds(250));

    /// <summary>silos/VideoFace.Silo's build output, same configuration as this test assembly (the project reference builds it).</summary>
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "silos", "VideoFace.Silo", "bin", configuration, "net10.0", "videoface-silo.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build silos/VideoFace.Silo first", dll);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Process.DisposeAsync();
    }

    private sealed class ProcessExitedException(string tail) : Exception($"the silo process exited\n{tail}");
}
