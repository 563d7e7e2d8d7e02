using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// The embedded profile as `videoface up` runs it (<see cref="VideoFaceHost.Build"/>): an erase while the person's face
/// is streaming leaves nothing anywhere, and the identity-event feed resumes across a restart of the server (over SSE
/// with Last-Event-ID, and with the real `videoface events --follow`).
/// </summary>
public sealed class EraseAndResumeTests : IAsyncLifetime
{
    private const string CameraId = "lobby";
    private const string Person = "George W Bush";
    private readonly string _folder = TestVideos.TempFolder("erase-resume");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Erase_WhileTheFaceStreams_LeavesNothingAnywhere_AndReEnrollingStartsEmpty()
    {
        // one face in view for 8 s out of every 10, in a loop: the person's track is open when the erase comes
        var video = await FaceVideo.CreateAsync(Path.Combine(_folder, "george.mp4"), [TestData.Face("George_W_Bush", 2)], secondsEach: 8, gapSeconds: 2);
        await using var rtsp = new RtspServer(video);
        await rtsp.StartAsync();
        await using var host = await EmbeddedApp.StartAsync(_folder, Ports.Free(3), MaxAge);
        var api = host.Api;
        var id = await api.EnrollAsync(Person, TestData.Face("George_W_Bush", 3), TestData.Face("George_W_Bush", 4));
        await api.PostJsonAsync("/api/alerts/rules", new { person = id, cooldown_seconds = 0 });
        await api.PutCameraAsync(CameraId, rtsp.Url.ToString(), fps: 5);

        // streaming and matched: an open track, its images, an alert and an event that name the person
        JsonElement detail = default;
        await PollAsync(async () =>
        {
            detail = await api.GetAsync($"/api/persons/{id}");
            return detail.GetProperty("person").GetProperty("visible").GetBoolean()
                && detail.GetProperty("history").GetArrayLength() > 0
                && Names(await api.GetAsync("/api/alerts/recent?count=1000"), "identity_id").Contains(id)
                && Names(await api.GetAsync("/api/events/recent?count=1000"), "identity_id").Contains(id)
                // the identity hears of a track before its sighting reaches the index: wait for that too
                && Names(await api.SearchByPhotoAsync(TestData.Face("George_W_Bush", 2)), "identity_id").Contains(id);
        }, TimeSpan.FromSeconds(90), "the enrolled person is in view, found by photo search, with an alert and an event");
        var tracks = detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("track_id").GetString()!).ToList();
        var images = detail.GetProperty("history").EnumerateArray()
            .SelectMany(h => new[] { h.GetProperty("thumbnail_url").GetString(), h.GetProperty("keyframe_url").GetString() }).OfType<string>().ToList();
        Assert.NotEmpty(images);
        long framesBefore = (await api.CamerasAsync())[CameraId].GetProperty("frames_analyzed").GetInt64();

        var erased = await api.DeleteAsync($"/api/persons/{id}");

        Assert.Equal(id, erased.GetProperty("id").GetString());
        Assert.True(erased.GetProperty("history_entries").GetInt32() >= 1, erased.GetRawText());
        Assert.True(erased.GetProperty("index_points").GetInt64() >= 1, erased.GetRawText());
        Assert.True(erased.GetProperty("alerts_removed").GetInt32() >= 1, erased.GetRawText());
        Assert.True(erased.GetProperty("events_removed").GetInt32() >= 1, erased.GetRawText());
        Assert.Equal(1, erased.GetProperty("rules_removed").GetInt32());

        // the camera goes on seeing the face (the track matched before the erase keeps reporting) for a while
        await PollAsync(async () => (await api.CamerasAsync())[CameraId].GetProperty("frames_analyzed").GetInt64() >= framesBefore + 20,
            TimeSpan.FromSeconds(60), "the camera analyses 20 more frames after the erase");
        await PollAsync(async () => await NothingLeftAsync(api, id, tracks, images), TimeSpan.FromSeconds(30),
            "nothing of the erased person is left in any store or feed");
        Assert.Equal(404, await api.StatusAsync($"/api/persons/{id}"));
        Assert.DoesNotContain(tracks, t => File.Exists(Path.Combine(_folder, "data", "blobs", "thumbnails", CameraId, t + ".jpg")));
        Assert.DoesNotContain(tracks, t => File.Exists(Path.Combine(_folder, "data", "blobs", "keyframes", CameraId, t + ".jpg")));

        // the same name enrolled again: a person of its own, recognised on new tracks, with nothing of the old one
        var again = await api.EnrollAsync(Person, TestData.Face("George_W_Bush", 3), TestData.Face("George_W_Bush", 4));
        var fresh = await api.GetAsync($"/api/persons/{again}");
        Assert.Equal(0, fresh.GetProperty("person").GetProperty("sightings").GetInt32());
        Assert.Equal(0, fresh.GetProperty("history").GetArrayLength());
        IReadOnlyList<string> newTracks = [];
        await PollAsync(async () => (newTracks = await api.HistoryTrackIdsAsync(again)).Count > 0, TimeSpan.FromSeconds(60),
            "the re-enrolled person is recognised on a new track");
        Assert.DoesNotContain(newTracks, tracks.Contains);
        var search = await api.SearchByPhotoAsync(TestData.Face("George_W_Bush", 2));
        Assert.DoesNotContain(Names(search, "track_id"), tracks.Contains);
        Assert.True(await NothingLeftAsync(api, id == again ? "" : id, tracks, images), "the old person's data came back after re-enrolment");
    }

    [Fact]
    public async Task EventFeed_ResumesAcrossARestart_ExactlyTheEventsAfterLastEventId_AndTheCliFollowsThrough()
    {
        var ports = Ports.Free(3);
        var firstRun = new List<(long Id, JsonElement Data)>();
        long lastSeen;
        ChildProcess? cli = null;
        try
        {
            await using (var first = await EmbeddedApp.StartAsync(_folder, ports, MaxAge))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                // from the start of the log (Last-Event-ID 0), so what happens before the stream is open is not missed
                var subscription = Task.Run(async () =>
                {
                    try
                    {
                        await foreach (var e in first.Api.EventStreamAsync(0, cts.Token))
                            lock (firstRun) firstRun.Add(e);
                    }
                    catch (Exception) when (cts.IsCancellationRequested)
                    {
                    }
                });
                // the CLI prints the recent events, then follows; one JSON line per event
                cli = new ChildProcess("videoface events", "dotnet",
                    [EmbeddedApp.CliDll, "events", "--follow", "--json", "--count", "100", "--server", first.Api.BaseAddress.ToString(), "--api-key", first.Key], _folder);
                await SightingsAsync(first, "r1", 3);
                await PollAsync(() => Task.FromResult(Count(firstRun) >= 6), TimeSpan.FromSeconds(30), "six events over SSE");
                await PollAsync(() => Task.FromResult(CliEvents(cli).Count >= 6), TimeSpan.FromSeconds(30), "six events printed by the CLI");
                await cts.CancelAsync();
                await subscription;
            }
            List<(long Id, JsonElement Data)> seen;
            lock (firstRun) seen = firstRun.ToList();
            Assert.Equal(6, seen.Count);
            Assert.Equal(seen.Select(e => e.Id).Order(), seen.Select(e => e.Id)); // ascending
            lastSeen = seen[1].Id; // a subscriber that saw two events, then lost the connection

            await using var second = await EmbeddedApp.StartAsync(_folder, ports, MaxAge); // the same data folder and port: a restart
            await SightingsAsync(second, "r2", 2);
            await PollAsync(async () => (await second.Api.GetAsync("/api/events/recent?count=1")).EnumerateArray().Single().GetProperty("seq").GetInt64() >= seen[^1].Id + 4,
                TimeSpan.FromSeconds(30), "the restarted server logs four more events");

            var resumed = new List<(long Id, JsonElement Data)>();
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await foreach (var e in second.Api.EventStreamAsync(lastSeen, cts.Token))
                {
                    resumed.Add(e);
                    if (resumed.Count == 8) break;
                }
            }
            // exactly the events after it: the four of the first run it missed (same ids, same events), then the new four
            Assert.Equal(Enumerable.Range(1, 8).Select(i => lastSeen + i), resumed.Select(e => e.Id));
            Assert.Equal(seen.Skip(2).Select(e => Str(e.Data, "id")), resumed.Take(4).Select(e => Str(e.Data, "id")));
            Assert.All(resumed.Skip(4), e => Assert.StartsWith("r2-", Str(e.Data, "track_id")));
            var latest = (await second.Api.GetAsync("/api/events/recent?count=1")).EnumerateArray().Single().GetProperty("seq").GetInt64();
            Assert.Equal(resumed[^1].Id, latest); // nothing else, no duplicates

            // the CLI reconnected by itself and printed the new events once each, after the old ones
            await PollAsync(() => Task.FromResult(CliEvents(cli).Count >= 10), TimeSpan.FromSeconds(60), "the CLI prints the events after the restart");
            Assert.False(cli.HasExited, cli.Tail());
            var printed = CliEvents(cli);
            Assert.Equal(10, printed.Count);
            Assert.Equal(printed.Select(e => e.GetProperty("seq").GetInt64()).Distinct().Order(), printed.Select(e => e.GetProperty("seq").GetInt64()));
            Assert.Equal(seen.Select(e => Str(e.Data, "id")).Concat(resumed.Skip(4).Select(e => Str(e.Data, "id"))), printed.Select(e => Str(e, "id")));
        }
        finally
        {
            if (cli is not null) await cli.DisposeAsync();
        }
    }

    /// <summary>Tracks of one unknown identity reported as a camera session reports them: Appeared and Left per track.</summary>
    private static async Task SightingsAsync(EmbeddedApp host, string prefix, int tracks)
    {
        var grains = host.App.Services.GetRequiredService<IGrainFactory>();
        var identity = grains.GetGrain<IIdentityGrain>("u-resume-" + prefix);
        var t0 = DateTimeOffset.UtcNow;
        for (int i = 0; i < tracks; i++)
        {
            var track = $"{prefix}-{i}";
            await identity.TrackStartedAsync(new TrackSighting(CameraId, track, t0.AddSeconds(i * 10), null, 0.9f, null));
            await identity.TrackEndedAsync(new TrackSighting(CameraId, track, t0.AddSeconds(i * 10), t0.AddSeconds(i * 10 + 5), 0.9f, null));
        }
    }

    /// <summary>True when no store or feed holds anything of the erased person or their tracks (the erased id, unless empty).</summary>
    private static async Task<bool> NothingLeftAsync(Api api, string id, IReadOnlyList<string> tracks, IReadOnlyList<string> images)
    {
        foreach (var url in images)
            if (await api.StatusAsync(url) != 404) return false;
        var search = await api.SearchByPhotoAsync(TestData.Face("George_W_Bush", 2));
        if (Names(search, "track_id").Any(tracks.Contains)) return false;
        var alerts = await api.GetAsync("/api/alerts/recent?count=1000");
        var events = await api.GetAsync("/api/events/recent?count=1000");
        var rules = await api.GetAsync("/api/alerts/rules");
        if (Names(alerts, "track_id").Any(tracks.Contains) || Names(events, "track_id").Any(tracks.Contains)) return false;
        if (id.Length == 0) return true;
        return !Names(search, "identity_id").Contains(id) && !Names(alerts, "identity_id").Contains(id)
            && !Names(events, "identity_id").Contains(id) && !Names(rules, "person_id").Contains(id) && !Names(rules, "person").Contains(id);
    }

    /// <summary>Every string value of a property with this name, anywhere in the JSON.</summary>
    private static HashSet<string> Names(JsonElement json, string property)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        Walk(json);
        return found;

        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == property && p.Value.ValueKind == JsonValueKind.String) found.Add(p.Value.GetString()!);
                    Walk(p.Value);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var x in e.EnumerateArray()) Walk(x);
            }
        }
    }

    private static int Count(List<(long, JsonElement)> list)
    {
        lock (list) return list.Count;
    }

    /// <summary>The events the CLI printed (its JSON lines; reconnect notices go to stderr as text).</summary>
    private static List<JsonElement> CliEvents(ChildProcess cli) =>
        cli.Output.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Poll.UntilAsync(condition, timeout, because, transient: ex => ex is HttpRequestException or TaskCanceledException or JsonException,
            interval: TimeSpan.FromMilliseconds(300));

    // tracks end soon after a face leaves, so erase and restart see finished tracks quickly
    private static readonly Dictionary<string, string?> MaxAge = new() { ["Tracking:MaxAge"] = "00:00:01.500" };
}
