using System.Net.Http.Json;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>An RTSP camera that shows Tony Blair nearly all the time (30 s of face, half a second of grey, in a loop).</summary>
public sealed class FaceInViewCameraFixture : RtspServerFixture
{
    protected override Task<string> CreateClipAsync(string folder) =>
        FaceVideo.CreateAsync(Path.Combine(folder, "tony.mp4"), [TestData.Face("Tony_Blair", 2)], secondsEach: 30, gapSeconds: 0.5);
}

/// <summary>
/// "Nothing stuck": the embedded server as its own process, a camera with a face in view the whole time, an alert rule
/// for that person. What a session leaves open when its process dies (SIGKILL) or stops (SIGTERM) is closed — by the
/// next session, or by the shutdown itself — and the person is seen (and alerted on) afresh after the restart.
/// </summary>
public sealed class TrackTakeoverTests(FaceInViewCameraFixture camera, ITestOutputHelper output) : IClassFixture<FaceInViewCameraFixture>, IAsyncLifetime
{
    private const string CameraId = "lobby";
    private const string RuleId = "tony-in-lobby";
    private readonly string _folder = TestVideos.TempFolder("takeover");
    private readonly List<EmbeddedSilo> _silos = [];

    private string DataDirectory => Path.Combine(_folder, "data");

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EmbeddedServer_KilledWithAFaceInView_NextSessionEndsTheTrackAsInterruptedAndTheFaceAppearsAndAlertsAgain()
    {
        var (personId, openTrack, tracksBefore) = await StartWithFaceInViewAsync();

        _silos[0].Process.KillHard();
        var second = await StartSiloAsync("second");

        // the camera comes back by itself (watchdog); its new session first ends what the dead one left open
        JsonElement ended = default;
        await second.PollAsync(async () => (ended = Entry(await History(second, personId), openTrack)).GetProperty("end").ValueKind != JsonValueKind.Null,
            TimeSpan.FromSeconds(90), $"the track {openTrack} left open by the killed process is ended");
        Assert.Equal("interrupted", ended.GetProperty("end_reason").GetString());
        Assert.True(ended.GetProperty("end").GetDateTimeOffset() >= ended.GetProperty("start").GetDateTimeOffset());

        // a new track of the same face: Appeared and the rule's alert again, after the Left of the interrupted track
        JsonElement alert = default;
        await second.PollAsync(async () =>
        {
            var alerts = (await second.Api.GetAsync("/api/alerts/recent")).EnumerateArray().ToList();
            alert = alerts.LastOrDefault(a => a.GetProperty("rule_id").GetString() == RuleId && !tracksBefore.Contains(a.GetProperty("track_id").GetString()!));
            return alert.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(90), "the rule alerts on the face's new track after the restart");
        Assert.Equal("appeared", alert.GetProperty("event").GetString(), ignoreCase: true);
        var events = (await second.Api.GetAsync("/api/events/recent")).EnumerateArray().ToList();
        int left = events.FindIndex(e => Is(e, "Left", personId, openTrack));
        int appeared = events.FindIndex(e => Is(e, "Appeared", personId, alert.GetProperty("track_id").GetString()!));
        Assert.True(left >= 0, "the interrupted track's Left was published");
        Assert.True(appeared > left, "the new Appeared follows the Left of the interrupted track");

        // nothing of the dead session stays open: every entry without an end belongs to the new session
        var history = await History(second, personId);
        Assert.All(history.Where(h => h.GetProperty("end").ValueKind == JsonValueKind.Null),
            h => Assert.DoesNotContain(h.GetProperty("track_id").GetString()!, tracksBefore));
        Assert.All(history.Where(h => tracksBefore.Contains(h.GetProperty("track_id").GetString()!)),
            h => Assert.NotEqual(JsonValueKind.Null, h.GetProperty("end").ValueKind));
    }

    [Fact]
    public async Task EmbeddedServer_StoppedWithSigterm_EndsOpenTracksAsShutdownBeforeLeavingTheCluster()
    {
        var (personId, openTrack, tracksBefore) = await StartWithFaceInViewAsync();
        var first = _silos[0];

        first.Process.Terminate();
        await Poll.UntilAsync(() => first.Process.HasExited, TimeSpan.FromSeconds(60), "the server exits after SIGTERM");
        var log = string.Join('\n', first.Process.Output);
        output.WriteLine(first.Process.Tail(20));
        Assert.DoesNotContain("No active nodes", log, StringComparison.Ordinal);
        Assert.Contains("Camera sessions stopped for shutdown", log, StringComparison.Ordinal);

        // the next start finds the track already closed by the shutdown itself, not by its own takeover
        var second = await StartSiloAsync("second");
        var history = await History(second, personId);
        var ended = Entry(history, openTrack);
        Assert.Equal("shutdown", ended.GetProperty("end_reason").GetString());
        Assert.NotEqual(JsonValueKind.Null, ended.GetProperty("end").ValueKind);
        var before = history.Where(h => tracksBefore.Contains(h.GetProperty("track_id").GetString()!)).ToList();
        Assert.Equal(tracksBefore.Count, before.Count);
        Assert.All(before, h => Assert.NotEqual(JsonValueKind.Null, h.GetProperty("end").ValueKind));
    }

    /// <summary>Starts the first server, enrols Tony, adds the camera and a rule, and waits until his track is open.</summary>
    private async Task<(string PersonId, string OpenTrack, HashSet<string> TracksBefore)> StartWithFaceInViewAsync()
    {
        var first = await StartSiloAsync("first");
        var personId = await first.Api.EnrollAsync("Tony Blair", TestData.Face("Tony_Blair", 6), TestData.Face("Tony_Blair", 94));
        using (var http = new HttpClient { BaseAddress = first.Api.BaseAddress })
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", EmbeddedSilo.ApiKey);
            using var rule = await http.PostAsJsonAsync("/api/alerts/rules", new { id = RuleId, kind = "person", person = personId, cameras = new[] { CameraId }, cooldown_seconds = 0 });
            Assert.True(rule.IsSuccessStatusCode, await rule.Content.ReadAsStringAsync());
        }
        await first.Api.PutCameraAsync(CameraId, camera.Url.ToString(), fps: 2);

        string? open = null;
        await first.PollAsync(async () =>
        {
            var person = await first.Api.GetAsync($"/api/persons/{personId}");
            open = person.GetProperty("history").EnumerateArray()
                .Where(h => h.GetProperty("end").ValueKind == JsonValueKind.Null).Select(h => h.GetProperty("track_id").GetString()).FirstOrDefault();
            return open is not null && person.GetProperty("person").GetProperty("visible").GetBoolean();
        }, TimeSpan.FromSeconds(120), "Tony has an open track on the camera");
        var tracks = (await History(first, personId)).Select(h => h.GetProperty("track_id").GetString()!).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"open track {open}; {tracks.Count} tracks before");
        return (personId, open!, tracks);
    }

    private async Task<EmbeddedSilo> StartSiloAsync(string name, params string[] settings)
    {
        var silo = await EmbeddedSilo.StartAsync(name, DataDirectory, settings);
        _silos.Add(silo);
        return silo;
    }

    private static async Task<List<JsonElement>> History(EmbeddedSilo silo, string personId) =>
        (await silo.Api.GetAsync($"/api/persons/{personId}?limit=5000")).GetProperty("history").EnumerateArray().ToList();

    private static JsonElement Entry(IEnumerable<JsonElement> history, string trackId) =>
        history.Single(h => h.GetProperty("track_id").GetString() == trackId);

    private static bool Is(JsonElement e, string kind, string identity, string track) =>
        e.GetProperty("kind").GetString() == kind && e.GetProperty("identity_id").GetString() == identity && e.GetProperty("track_id").GetString() == track;

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
