using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Datasets.Scenes;
using VideoFace.Hosting;
using VideoFace.Testing;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// The whole server on a generated scene whose truth is known: `videoface eval make-scene` builds the video (a cut where one
/// person replaces another at the same spot, a pan, a swap, someone coming back; enrolled people and a stranger), a real
/// RTSP camera streams it in a loop to the embedded host, and what a user sees (people, their sightings, photo search,
/// alerts) is checked against who the video really shows.
/// </summary>
public sealed class GeneratedSceneEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    // the dev identities the CLI scene tests use: few, so the video stays short (~27 s) and one play is cheap to analyse
    private static readonly string[] People = ["Colin_Powell", "Jennifer_Aniston", "Tony_Blair", "Yoko_Ono", "Laura_Bush"];
    private const int Seed = 7;
    private const double CameraFps = 2;
    private const string CameraId = "scene";
    private readonly string _folder = TestVideos.TempFolder("scene-e2e");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task GeneratedScene_ThroughRtsp_PeopleSearchAndAlertsAgreeWithTheTruth()
    {
        var identities = Path.Combine(_folder, "identities");
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(identities, person));
            foreach (var photo in Directory.GetFiles(Path.Combine(TestData.Faces, person)).Order(StringComparer.Ordinal))
                File.Copy(photo, Path.Combine(identities, person, Path.GetFileName(photo)));
        }
        var sceneDir = Path.Combine(_folder, "scene");
        await MakeSceneAsync(identities, sceneDir);
        var truth = SceneTruth.Load(Path.Combine(sceneDir, "scene.json"));
        double seconds = truth.FrameCount / truth.Fps;
        Assert.InRange(seconds, 10, 30);
        // the case this test exists for: a cut where someone else stands where the last person stood; the rule is on the
        // enrolled person before it, so a track carried across the cut would alert on the next person's face
        var cut = truth.Shots.First(s => s.Kind == "cut");
        Assert.Equal(2, cut.Identities.Count);
        Assert.NotEqual(cut.Identities[0], cut.Identities[1]);
        var ruled = cut.Identities[0];
        var enrolled = truth.Enrolment.Select(e => e.Identity).ToList();
        var strangers = truth.Appearances.Where(a => !a.Enrolled).Select(a => a.Identity).Distinct().ToList();
        Assert.Equal(2, enrolled.Count);
        Assert.NotEmpty(strangers);
        Assert.All(enrolled, e => Assert.Contains(truth.Appearances, a => a.Identity == e));
        Assert.Contains(ruled, enrolled);

        await using var rtsp = new RtspServer(Path.Combine(sceneDir, truth.Video));
        await rtsp.StartAsync();
        await using var host = await EmbeddedApp.StartAsync(_folder, Ports.Free(3));
        var api = host.Api;

        // the scene's enrolment photos (never shown in the video), labelled: forced past the outlier check
        var ids = new Dictionary<string, string>(StringComparer.Ordinal); // truth identity → person id
        foreach (var e in truth.Enrolment)
            ids[e.Identity] = await api.EnrollForcedAsync(NameOf(e.Identity), e.Photos.Select(p => Path.Combine(sceneDir, p)).ToArray());
        await api.PostJsonAsync("/api/alerts/rules", new { person = ids[ruled], cooldown_seconds = 0 });
        await api.PutCameraAsync(CameraId, rtsp.Url.ToString(), fps: CameraFps);

        // one full play: at 2 fps the video has this many sampled frames; a camera that falls behind analyses fewer per
        // second, so reaching the count takes longer and covers more than one play, never less
        int onePlay = (int)Math.Ceiling(seconds * CameraFps);
        await PollAsync(async () => (await api.CamerasAsync())[CameraId].GetProperty("frames_analyzed").GetInt64() >= onePlay,
            TimeSpan.FromMinutes(5), $"the camera analyses {onePlay} frames (one play of the scene)");

        // what the sightings of a play leave: each enrolled person recognised under their own id, an alert for the ruled
        // one, and the search index holding the tracks of everyone shown (a stranger's search finds their unknown tracks)
        await PollAsync(async () =>
        {
            foreach (var e in enrolled)
                if ((await api.GetAsync($"/api/persons/{ids[e]}")).GetProperty("person").GetProperty("sightings").GetInt32() < 1) return false;
            if (!Strings(await api.GetAsync("/api/alerts/recent?count=1000"), "identity_id").Contains(ids[ruled])) return false;
            foreach (var e in enrolled)
                if (!Hits(await api.SearchByPhotoAsync(ShownPhoto(identities, truth, e))).Any(h => h.Name == NameOf(e))) return false;
            foreach (var s in strangers)
                if (Hits(await api.SearchByPhotoAsync(ShownPhoto(identities, truth, s))).Count == 0) return false;
            return true;
        }, TimeSpan.FromMinutes(3), "every enrolled person is sighted and found by search, the ruled one alerted, every stranger found by search");

        // Why these assertions catch a track carried across the same-spot cut: such a track is named after the person before
        // the cut, so the face after it (in this seed's scene a stranger replaces the ruled person) is stored, indexed and alerted
        // under that person's id. If the name sticks, searching with the next person's shown photo finds a track named as the
        // enrolled person at or above the match threshold. If naming on evidence later renames the track to the stranger's
        // unknown identity, the alert fired under the first name stays, on a track that is now the stranger's: the alert
        // checks below see it (with the tracker's appearance gate switched off, that is what this scene gives).

        // people: the enrolled under their own id and name, everyone else only as unnamed unknown identities
        var persons = (await api.GetAsync("/api/persons")).EnumerateArray().ToList();
        foreach (var e in enrolled)
        {
            var p = persons.Single(x => x.GetProperty("id").GetString() == ids[e]);
            Assert.Equal(NameOf(e), p.GetProperty("name").GetString());
            Assert.True(p.GetProperty("sightings").GetInt32() >= 1, p.GetRawText());
            Assert.Contains(CameraId, p.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()));
        }
        var others = persons.Where(x => !ids.ContainsValue(x.GetProperty("id").GetString()!)).ToList();
        Assert.NotEmpty(others); // the stranger is somewhere: as an unknown identity
        Assert.All(others, x =>
        {
            Assert.StartsWith("u-", x.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, x.GetProperty("name").ValueKind);
        });

        // search: a stranger's face is never found as an enrolled person; an enrolled person's face only as themselves
        foreach (var s in strangers)
        {
            var hits = Hits(await api.SearchByPhotoAsync(ShownPhoto(identities, truth, s)));
            Assert.All(hits.Where(h => !h.Weak), h => Assert.True(h.Name is null && h.Id?.StartsWith("u-", StringComparison.Ordinal) != false,
                $"stranger {s}'s photo found track {h.Track} named {h.Name} ({h.Id}) at {h.Similarity:F3}"));
        }
        foreach (var e in enrolled)
        {
            var hits = Hits(await api.SearchByPhotoAsync(ShownPhoto(identities, truth, e)));
            Assert.All(hits.Where(h => !h.Weak && h.Name is not null), h => Assert.True(h.Name == NameOf(e) && h.Id == ids[e],
                $"{e}'s photo found track {h.Track} named {h.Name} ({h.Id}) at {h.Similarity:F3}"));
        }

        // alerts: only the ruled person, on tracks that are theirs (in their history)
        var alerts = (await api.GetAsync("/api/alerts/recent?count=1000")).EnumerateArray().ToList();
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.Equal(ids[ruled], a.GetProperty("identity_id").GetString()));
        Assert.All(alerts, a => Assert.Equal(NameOf(ruled), a.GetProperty("identity_name").GetString()));
        // and every alert is on one of the ruled person's own tracks: an alert on a track that belongs to anyone else (the
        // stranger who took the ruled person's place at the cut, or the other enrolled person) is an alert for the wrong
        // face, even when it carries the ruled person's name because it fired before the track was renamed
        var alertTracks = alerts.Select(a => a.GetProperty("track_id").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(await api.HistoryTrackIdsAsync(ids[ruled]), alertTracks.Contains);
        foreach (var other in persons.Select(x => x.GetProperty("id").GetString()!).Where(id => id != ids[ruled]))
        {
            var wrong = (await api.HistoryTrackIdsAsync(other)).Where(alertTracks.Contains).ToList();
            Assert.True(wrong.Count == 0, $"alerts for {NameOf(ruled)} on tracks of {other}: {string.Join(", ", wrong)}");
        }

        // the server agrees with `eval video` on the same scene: the command runs the same camera path in a silo of its own
        // and scores each track against the truth; who it names, and whom it leaves unnamed, is what the server shows
        var eval = await EvalVideoAsync(Path.Combine(sceneDir, "scene.json"));
        var score = eval.GetProperty("score");
        var tracks = score.GetProperty("track_details").EnumerateArray().Select(t => (
            Truth: t.GetProperty("truth").GetString(), Name: t.GetProperty("name").GetString(), Outcome: t.GetProperty("outcome").GetString()!)).ToList();
        output.WriteLine($"eval video: {score.GetProperty("tracks").GetInt32()} tracks, outcomes " +
                         string.Join(", ", tracks.GroupBy(t => t.Outcome).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(0, score.GetProperty("tracks_spanning_people").GetInt32());
        Assert.Equal(0, score.GetProperty("enrolled_named_wrongly").GetInt32());
        Assert.Equal(0, score.GetProperty("stranger_named_enrolled").GetInt32());
        var namedByEval = tracks.Where(t => t.Outcome == "named_correctly").Select(t => t.Truth!).ToHashSet(StringComparer.Ordinal);
        var namedByServer = enrolled.Where(e => persons.Any(p => p.GetProperty("id").GetString() == ids[e] && p.GetProperty("sightings").GetInt32() >= 1))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(namedByEval.SetEquals(namedByServer),
            $"named by eval video: {string.Join(", ", namedByEval)}; sighted under their own name by the server: {string.Join(", ", namedByServer)}");
        // every stranger: tracks in both, never under an enrolled name in either (the server side is the search above)
        foreach (var stranger in strangers)
            Assert.Contains(tracks, t => t.Truth == stranger && t.Outcome == "stranger_unknown");
        var evalUnknownIds = score.GetProperty("strangers").EnumerateArray().SelectMany(x => x.GetProperty("unknown_ids").EnumerateArray()).Count();
        output.WriteLine($"unknown identities: eval video {evalUnknownIds} for {strangers.Count} stranger(s); server {others.Count} after at least one play");
    }

    /// <summary>The real `videoface eval video SCENE --json` at the camera's analysis rate; its JSON report.</summary>
    private static async Task<JsonElement> EvalVideoAsync(string scene)
    {
        var (code, stdout, stderr) = await CliAsync(TimeSpan.FromMinutes(8), "eval", "video", scene, "--fps", CameraFps.ToString(CultureInfo.InvariantCulture),
            "--models", TestData.Models, "--device", "cpu", "--json");
        Assert.True(code == 0, $"eval video exited {code}: {stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>A person's name as enrolled: the identity folder's name with spaces (Colin_Powell → Colin Powell).</summary>
    private static string NameOf(string identity) => identity.Replace('_', ' ');

    /// <summary>A photo the video shows of this identity (the first appearance's), from the copied identities.</summary>
    private static string ShownPhoto(string identities, SceneTruth truth, string identity) =>
        Path.Combine(identities, identity, truth.Appearances.First(a => a.Identity == identity).Photo);

    private sealed record Hit(string Track, string? Id, string? Name, float Similarity, bool Weak);

    private static List<Hit> Hits(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => new Hit(
            h.GetProperty("track_id").GetString()!,
            h.TryGetProperty("identity_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
            h.TryGetProperty("identity_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null,
            h.GetProperty("similarity").GetSingle(),
            h.GetProperty("weak").GetBoolean())).ToList();

    /// <summary>Every string value of a property with this name, anywhere in the JSON.</summary>
    private static HashSet<string> Strings(JsonElement json, string property)
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

    /// <summary>The real `videoface eval make-scene`: two enrolled people and a stranger, a fixed seed.</summary>
    private static async Task MakeSceneAsync(string identities, string outDir)
    {
        var (code, stdout, stderr) = await CliAsync(TimeSpan.FromMinutes(5), "eval", "make-scene", identities, outDir, "--seed",
            Seed.ToString(CultureInfo.InvariantCulture), "--people", "2", "--strangers", "1", "--enrol-photos", "2", "--models", TestData.Models,
            "--device", "cpu", "--json");
        Assert.True(code == 0, $"make-scene exited {code}: {stderr}\n{stdout}");
    }

    /// <summary>Runs the CLI with these arguments (an argument list, never a re-split string); killed after <paramref name="timeout"/>.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(EmbeddedApp.CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    private static Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
        Poll.UntilAsync(condition, timeout, because, transient: ex => ex is HttpRequestException or TaskCanceledException or JsonException,
            interval: TimeSpan.FromMilliseconds(500));

}
