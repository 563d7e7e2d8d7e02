using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// The Cluster profile for real: Azurite (Azure Table clustering, grain state, reminders), three silo processes
/// (videoface-silo.dll) on loopback, two RTSP cameras. One silo running a camera is killed with SIGKILL.
/// </summary>
public sealed class SiloFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] SiloNames = ["s1", "s2", "s3"];
    private static readonly string[] CameraIds = ["cam-a", "cam-b"];

    private readonly string _folder = TestVideos.TempFolder("failover");
    private readonly Dictionary<string, (ChildProcess Process, Api Api)> _silos = [];
    private Azurite? _azurite;
    private RtspServer? _rtsp;

    public async Task InitializeAsync()
    {
        // xunit does not dispose a test class whose InitializeAsync failed: clean up here then
        try
        {
            await StartAllAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync()
    {
        var video = await FaceVideo.CreateAsync(Path.Combine(_folder, "people.mp4"),
            [TestData.Face("Tony_Blair", 2), TestData.Face("Jennifer_Aniston", 1)]);
        _rtsp = new RtspServer(video);
        await _rtsp.StartAsync();
        Directory.CreateDirectory(Path.Combine(_folder, "azurite"));
        _azurite = await Azurite.StartAsync(Path.Combine(_folder, "azurite"));
        foreach (var name in SiloNames) _silos[name] = StartSilo(name, _azurite.ConnectionString);
        foreach (var (name, silo) in _silos)
            await PollAsync(async () => (await silo.Api.GetAsync("/health")).GetProperty("silo").GetString() == name, TimeSpan.FromSeconds(90),
                $"silo {name} answers /health");
    }

    [Fact]
    public async Task ClusterProfile_SiloRunningACameraKilled_CamerasResumeElsewhereWithin30sAndHistoryIsKept()
    {
        var api = _silos["s1"].Api;
        var personId = await api.EnrollAsync("Tony Blair", TestData.Face("Tony_Blair", 6), TestData.Face("Tony_Blair", 94));
        foreach (var id in CameraIds) await api.PutCameraAsync(id, _rtsp!.Url.ToString(), fps: 2);

        IReadOnlyList<string> tracksBefore = [];
        await PollAsync(async () => (tracksBefore = await api.HistoryTrackIdsAsync(personId)).Count > 0, TimeSpan.FromSeconds(60),
            "the enrolled person has sightings");
        Dictionary<string, JsonElement> cameras = [];
        await PollAsync(async () => (cameras = await api.CamerasAsync()).Values.All(c => Health(c) == "Streaming"), TimeSpan.FromSeconds(30),
            "both cameras stream");
        var victim = Silo(cameras[CameraIds[0]]) ?? throw new InvalidOperationException("camera reports no silo");
        var moved = CameraIds.Where(id => Silo(cameras[id]) == victim).ToList();
        var survivor = _silos.First(s => s.Key != victim).Value.Api;
        output.WriteLine($"cameras: {string.Join(", ", CameraIds.Select(id => $"{id}@{Silo(cameras[id])}"))}; killing {victim}");

        _silos[victim].Process.KillHard();
        var sinceKill = Stopwatch.StartNew();

        await PollAsync(async () =>
        {
            var now = await survivor.CamerasAsync();
            return moved.All(id => Silo(now[id]) is { } s && s != victim && Health(now[id]) == "Streaming");
        }, TimeSpan.FromSeconds(30), $"the cameras of {victim} ({string.Join(", ", moved)}) stream again on another silo");
        output.WriteLine($"cameras resumed {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill");

        var tracksAfter = await survivor.HistoryTrackIdsAsync(personId);
        Assert.All(tracksBefore, t => Assert.Contains(t, tracksAfter));
        var person = Assert.Single((await survivor.GetAsync("/api/persons")).EnumerateArray(), p => p.GetProperty("id").GetString() == personId);
        Assert.Equal("Tony Blair", person.GetProperty("name").GetString());
        Assert.True(person.GetProperty("sightings").GetInt32() >= tracksBefore.Count);
    }

    private static string? Health(JsonElement camera) => camera.GetProperty("health").GetString();

    private static string? Silo(JsonElement camera) => camera.GetProperty("silo").GetString();

    private (ChildProcess, Api) StartSilo(string name, string connectionString)
    {
        var p = Ports.Free(3);
        var inv = CultureInfo.InvariantCulture;
        string[] args =
        [
            SiloDll,
            "--VideoFace:Profile=Cluster",
            $"--VideoFace:AzureStorageConnectionString={connectionString}",
            $"--VideoFace:SiloName={name}",
            string.Create(inv, $"--VideoFace:SiloPort={p[0]}"),
            string.Create(inv, $"--VideoFace:GatewayPort={p[1]}"),
            string.Create(inv, $"--VideoFace:HttpPort={p[2]}"),
            "--VideoFace:Devices=cpu",
            $"--VideoFace:ApiKeys:0={ApiKey}",
            "--VideoFace:CameraWatchdogInterval=00:00:03",
            $"--Vision:ModelsDirectory={TestData.Models}",
            "--Vision:IntraOpThreads=1", // three silos share two cores
            "--Tracking:MaxAge=00:00:01.500",
            // detect a dead silo in seconds, not the default tens of seconds
            "--Orleans:ClusterMembership:ProbeTimeout=00:00:02",
            "--Orleans:ClusterMembership:NumMissedProbesLimit=2",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:VideoFace=Information",
            // the loopback RTSP cameras and local clips of the tests, allowed explicitly as a deployment would
            .. TestSecurity.Settings.Select(kv => $"--{kv.Key}={kv.Value}"),
        ];
        var process = new ChildProcess(name, "dotnet", args, _folder);
        return (process, new Api(new Uri($"http://127.0.0.1:{p[2]}"), ApiKey));
    }

    private const string ApiKey = "failover-test-key";

    /// <summary>silos/VideoFace.Silo's build output, same configuration as this test assembly (the project reference builds it).</summary>
    private static string SiloDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "silos", "VideoFace.Silo", "bin", configuration, "net10.0", "videoface-silo.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build silos/VideoFace.Silo first", dll);
        }
    }

    /// <summary>Polls a condition that may throw while the cluster reconfigures, with a deadline; the failure names the silos' last output.</summary>
    private Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Poll.UntilAsync(condition, timeout, because,
            transient: ex => ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException,
            describe: () => string.Join('\n', _silos.Values.Select(s => s.Process.Tail(25))),
            interval: TimeSpan.FromMilliseconds(500));

    public async Task DisposeAsync()
    {
        // every process goes, even when one of them fails to: errors are reported after all were tried
        var errors = new List<Exception>();
        async Task Try(Func<ValueTask> dispose)
        {
            try { await dispose(); }
            catch (Exception ex) { errors.Add(ex); }
        }
        foreach (var (process, api) in _silos.Values)
        {
            api.Dispose();
            await Try(process.DisposeAsync);
        }
        if (_azurite is not null) await Try(_azurite.DisposeAsync);
        if (_rtsp is not null) await Try(_rtsp.DisposeAsync);
        foreach (var name in SiloNames)
        {
            // the Cluster profile keeps thumbnails in a per-silo temp folder
            try { Directory.Delete(Path.Combine(Path.GetTempPath(), "videoface-" + name), recursive: true); }
            catch (IOException) { }
        }
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        if (errors.Count > 0) throw new AggregateException("cleaning up the failover test", errors);
    }
}
