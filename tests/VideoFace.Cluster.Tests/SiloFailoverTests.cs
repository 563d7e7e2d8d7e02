using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using VideoFace.Hosting;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// The Cluster profile for real: Azurite (Azure Table clustering, grain state, reminders; Azure Queue streams), three
/// silo processes (videoface-silo.dll) on loopback, two RTSP cameras. One silo running a camera is killed with SIGKILL.
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

    [Fact]
    public async Task ClusterProfile_SiloRunningACameraKilled_EveryEventAndAlertReachesASubscriberOnASurvivorExactlyOnce()
    {
        var api = _silos["s1"].Api;
        var personId = await api.EnrollAsync("Tony Blair", TestData.Face("Tony_Blair", 6), TestData.Face("Tony_Blair", 94));
        // no cooldown: the rule fires once for every track the person appears on (and never twice for one)
        await api.PostJsonAsync("/api/alerts/rules", new { id = AlertRule, name = "Tony Blair anywhere", kind = "person", person = personId, cooldown_seconds = 0 });
        foreach (var id in CameraIds) await api.PutCameraAsync(id, _rtsp!.Url.ToString(), fps: 2);
        Dictionary<string, JsonElement> cameras = [];
        await PollAsync(async () => (cameras = await api.CamerasAsync()).Values.All(c => Health(c) == "Streaming"), TimeSpan.FromSeconds(60),
            "both cameras stream");
        var victim = Silo(cameras[CameraIds[0]]) ?? throw new InvalidOperationException("camera reports no silo");
        var survivor = _silos.First(s => s.Key != victim).Value.Api;

        // from the start of both logs: what was logged before the feeds opened is read from the logs, the rest arrives live, across the kill
        await using var events = new SseRecorder(survivor, "/api/events", lastEventId: 0);
        await using var alerts = new SseRecorder(survivor, "/api/alerts/stream", lastEventId: 0);
        // and the queues deliver at least once for sure: many messages arrive twice
        await using var duplicator = new QueueDuplicator(_azurite!.ConnectionString, StreamQueues, TimeSpan.FromMilliseconds(20));
        await PollAsync(() => Task.FromResult(Opened(events, personId).Any() && Alive(events, alerts)), TimeSpan.FromSeconds(90),
            "the enrolled person appears in the event feed");
        output.WriteLine($"cameras: {string.Join(", ", CameraIds.Select(id => $"{id}@{Silo(cameras[id])}"))}; killing {victim}");
        _silos[victim].Process.KillHard();
        var killedAt = DateTimeOffset.UtcNow;

        await PollAsync(async () =>
        {
            var now = await survivor.CamerasAsync();
            return CameraIds.All(id => Silo(now[id]) is { } s && s != victim && Health(now[id]) == "Streaming");
        }, TimeSpan.FromSeconds(45), "both cameras stream on the surviving silos");
        await PollAsync(() => Task.FromResult(Opened(events, personId).Any(e => Time(e) > killedAt) && duplicator.Copied >= 10 && Alive(events, alerts)),
            TimeSpan.FromSeconds(60), "the person is seen again after the kill, with at least 10 queue messages sent twice");
        // removing the cameras ends every open track: each identity in view publishes its Left
        foreach (var id in CameraIds) await survivor.DeleteNoContentAsync($"/api/cameras/{id}");

        await PollAsync(() => Task.FromResult(ByIdentity(events).All(g => Closed(g.ToList())) && Alive(events, alerts)), TimeSpan.FromSeconds(60),
            "every identity in view has left");
        await duplicator.DisposeAsync();
        // settled: the stream queues are drained (no message or copy left to deliver), and the feeds hold what both logs hold
        await PollAsync(async () => await StreamQueueMessagesAsync() == 0 && Alive(events, alerts)
                                    && events.Items.LastOrDefault().Id == await LatestAsync(survivor, "/api/events/recent?count=1")
                                    && alerts.Items.LastOrDefault().Id == await LatestAsync(survivor, "/api/alerts/recent?count=1"),
            TimeSpan.FromSeconds(90), "the queues are drained and the feeds have caught up with the logs");

        var feed = events.Items.Select(e => e.Data).ToList();
        var redelivered = _silos.Values.Sum(s => s.Process.Output.Count(l => l.Contains("arrived again", StringComparison.Ordinal)));
        output.WriteLine($"{feed.Count} events ({feed.Count(e => Kind(e) == "Appeared")} appeared, {feed.Count(e => Kind(e) == "Left")} left), " +
                         $"{alerts.Items.Count} alerts; {duplicator.Copied} queue messages sent twice, identity events that arrived again at the event log: {redelivered}");

        // every logged event exactly once, in order: no sequence twice, none missing
        var logged = (await survivor.GetAsync("/api/events/recent?count=2000")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64());
        Assert.Equal(logged, events.Items.Select(e => e.Id));
        Assert.All(events.Items, e => Assert.Equal(e.Id, e.Data.GetProperty("seq").GetInt64()));
        // and no event logged twice: one id, one (identity, track, kind) each
        AssertUnique(feed.Select(e => e.GetProperty("id").GetString()), "event id");
        AssertUnique(feed.Select(e => $"{Str(e, "identity_id")}/{Str(e, "track_id")}/{Kind(e)}"), "(identity, track, kind)");
        // each identity alternates: Appeared, (MovedCamera…), Left — a lost or doubled event breaks the pattern
        foreach (var g in ByIdentity(events).Where(g => g.All(e => Kind(e) != "Retracted")))
            AssertAlternates(g.Key, g.ToList());
        Assert.Contains(Opened(events, personId), e => Time(e) < killedAt);

        var logAlerts = (await survivor.GetAsync("/api/alerts/recent?count=10000")).EnumerateArray().Select(a => a.GetProperty("seq").GetInt64());
        Assert.Equal(logAlerts, alerts.Items.Select(a => a.Id));
        var fired = alerts.Items.Select(a => a.Data).ToList();
        AssertUnique(fired.Select(a => Str(a, "alert_id")), "alert id");
        // one alert per appearance of the person (on a track or another camera), none for an appearance that was not logged
        var expected = Opened(events, personId).Select(e => $"{Str(e, "track_id")}/{(Kind(e) == "Appeared" ? "appeared" : "moved_camera")}").Order();
        var got = fired.Where(a => Str(a, "rule_id") == AlertRule && Str(a, "event") != "retracted").Select(a => $"{Str(a, "track_id")}/{Str(a, "event")}").Order();
        Assert.Equal(expected, got);
        // (and all of this with copies on the way: otherwise the test could not tell an idempotent consumer from one that is not)
        Assert.True(redelivered > 0, "no identity event reached the event log twice: the test would not notice a consumer that is not idempotent");
    }

    private const string AlertRule = "tony-anywhere";

    /// <summary>Appeared and MovedCamera events of one identity in a feed.</summary>
    private static IEnumerable<JsonElement> Opened(SseRecorder events, string identityId) =>
        events.Items.Select(e => e.Data).Where(e => Str(e, "identity_id") == identityId && Kind(e) is "Appeared" or "MovedCamera");

    private static IEnumerable<IGrouping<string?, JsonElement>> ByIdentity(SseRecorder events) =>
        events.Items.Select(e => e.Data).GroupBy(e => Str(e, "identity_id"));

    /// <summary>Whether an identity's last presence event is a Left (or it was re-decided away).</summary>
    private static bool Closed(IReadOnlyList<JsonElement> events) =>
        events.Any(e => Kind(e) == "Retracted") || events.LastOrDefault(e => Kind(e) is "Appeared" or "MovedCamera" or "Left") is not { ValueKind: JsonValueKind.Object } last
        || Kind(last) == "Left";

    private static void AssertAlternates(string? identity, IReadOnlyList<JsonElement> events)
    {
        bool open = false;
        foreach (var e in events)
        {
            var kind = Kind(e);
            bool ok = kind switch
            {
                "Appeared" => !open,
                "MovedCamera" or "Left" => open,
                _ => false,
            };
            Assert.True(ok, $"identity {identity}: {kind} of track {Str(e, "track_id")} (seq {e.GetProperty("seq")}) while {(open ? "in view" : "out of view")}: " +
                            string.Join(", ", events.Select(x => $"{Kind(x)}@{x.GetProperty("seq")}")));
            open = kind != "Left";
        }
        Assert.False(open, $"identity {identity} appeared and never left");
    }

    private static void AssertUnique(IEnumerable<string?> keys, string what)
    {
        var twice = keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        Assert.True(twice.Count == 0, $"{what} delivered more than once: {string.Join(", ", twice)}");
    }

    private static bool Alive(params SseRecorder[] feeds)
    {
        foreach (var f in feeds) f.ThrowIfEnded();
        return true;
    }

    /// <summary>The newest sequence of a log (GET …/recent?count=1), 0 when empty.</summary>
    private static async Task<long> LatestAsync(Api api, string path) =>
        (await api.GetAsync(path)).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).LastOrDefault();

    /// <summary>The Azure queues of the cluster's streams (the silos run with the default service id).</summary>
    private static List<string> StreamQueues => OrleansProfileExtensions.StreamQueueNames(new VideoFaceHostOptions().ServiceId);

    /// <summary>Messages in the cluster's stream queues, delivered or not (a message leaves its queue once every consumer has it).</summary>
    private async Task<int> StreamQueueMessagesAsync()
    {
        var queues = new QueueServiceClient(_azurite!.ConnectionString);
        int count = 0;
        foreach (var name in StreamQueues)
        {
            var queue = queues.GetQueueClient(name);
            if (await queue.ExistsAsync()) count += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        return count;
    }

    private static string? Str(JsonElement e, string name) => e.GetProperty(name).GetString();

    private static string? Kind(JsonElement e) => Str(e, "kind");

    private static DateTimeOffset Time(JsonElement e) => e.GetProperty("time").GetDateTimeOffset();

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
            "--VideoFace:CameraReminderPeriod=00:00:03",
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
