using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using VideoFace.Datasets.Scenes;

namespace VideoFace.Cli.Tests;

/// <summary>
/// Three scenes made by the real program from a few dev identities (copied here): two with one seed, one with another.
/// Two enrolled people and one stranger keep the video short (~27 s) so evaluating it stays cheap.
/// </summary>
public sealed class SceneFixture : IDisposable
{
    private static readonly string[] People = ["Colin_Powell", "Jennifer_Aniston", "Tony_Blair", "Yoko_Ono", "Laura_Bush"];

    public SceneFixture()
    {
        Identities = Path.Combine(Cli.Work, "identities");
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(Identities, person));
            foreach (var photo in CliRunner.Photos(person)) File.Copy(photo, Path.Combine(Identities, person, Path.GetFileName(photo)));
        }
        A = Make("a", 7);
        B = Make("b", 7);
        C = Make("c", 8);
    }

    public CliRunner Cli { get; } = new();
    public string Identities { get; }
    public string A { get; }
    public string B { get; }
    public string C { get; }

    private string Make(string name, int seed)
    {
        var dir = Path.Combine(Cli.Work, name);
        var r = Cli.Run("eval", "make-scene", Identities, dir, "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--people", "2", "--strangers", "1", "--enrol-photos", "2", "--json");
        if (r.ExitCode != 0) throw new InvalidOperationException($"make-scene failed ({r.ExitCode}): {r.Stderr}");
        return dir;
    }

    public void Dispose() => Cli.Dispose();
}

public sealed class SceneCommandTests(SceneFixture scene) : IClassFixture<SceneFixture>
{
    [Fact]
    public void MakeScene_FewIdentities_WritesPlayableVideoThatMatchesItsTruth()
    {
        var truth = SceneTruth.Load(Path.Combine(scene.A, "scene.json"));
        Assert.Empty(truth.Validate()); // every box inside the frame, one entry per frame

        var (frames, width, height, duration) = Probe(Path.Combine(scene.A, "scene.mp4"));
        Assert.Equal(truth.FrameCount, frames);
        Assert.Equal((1280, 720), (width, height));
        Assert.Equal(truth.FrameCount / truth.Fps, duration, 1);
        Assert.InRange(truth.FrameCount / truth.Fps, 15, 40);

        // the script's ingredients: a cut at one spot, a pan, a swap, someone coming back, enrolled people and a stranger
        Assert.Equal(new[] { "cut", "pan", "swap" }, truth.Shots.Select(s => s.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(truth.Appearances, a => a.Return);
        Assert.Equal(2, truth.Appearances.Where(a => a.Enrolled).Select(a => a.Identity).Distinct().Count());
        Assert.Single(truth.Appearances.Where(a => !a.Enrolled).Select(a => a.Identity).Distinct());
        Assert.Equal(2, truth.Enrolment.Count);
        var cut = truth.Shots.First(s => s.Kind == "cut");
        var before = truth.Frames[cut.StartFrame].Faces.Single();
        var after = truth.Frames[(cut.StartFrame + cut.EndFrame) / 2].Faces.Single();
        Assert.NotEqual(before.Identity, after.Identity);
        Assert.InRange(Math.Abs(before.Box[0] + before.Box[2] / 2 - (after.Box[0] + after.Box[2] / 2)), 0, 20); // the same spot
        // faces at sizes a camera sees
        Assert.All(truth.Frames.SelectMany(f => f.Faces), f => Assert.InRange(f.Box[2], 60, 260));
        // frames listed as faceless are background only: between shots nobody is there
        Assert.Empty(truth.Frames[truth.Shots[0].EndFrame + 2].Faces);
    }

    [Fact]
    public void MakeScene_EnrolmentPhotos_AreCopiedAndNeverShown()
    {
        var truth = SceneTruth.Load(Path.Combine(scene.A, "scene.json"));
        foreach (var e in truth.Enrolment)
        {
            Assert.Equal(2, e.Photos.Count);
            var shown = truth.Appearances.Where(a => a.Identity == e.Identity).Select(a => a.Photo).ToHashSet();
            Assert.NotEmpty(shown);
            Assert.Empty(shown.Intersect(e.Sources));
            for (int i = 0; i < e.Photos.Count; i++)
            {
                var copy = Path.Combine(scene.A, e.Photos[i]);
                Assert.StartsWith(Path.Combine(scene.A, "enrol", e.Identity), copy, StringComparison.Ordinal);
                Assert.Equal(File.ReadAllBytes(Path.Combine(scene.Identities, e.Identity, e.Sources[i])), File.ReadAllBytes(copy));
            }
        }
        Assert.Equal(truth.Enrolment.Select(e => e.Identity).Order(StringComparer.Ordinal),
            Directory.GetDirectories(Path.Combine(scene.A, "enrol")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MakeScene_SameSeed_SameSceneAndVideo_OtherSeed_Differs()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(scene.A, "scene.json")), File.ReadAllText(Path.Combine(scene.B, "scene.json")));
        Assert.Equal(Hash(Path.Combine(scene.A, "scene.mp4")), Hash(Path.Combine(scene.B, "scene.mp4")));
        Assert.NotEqual(File.ReadAllText(Path.Combine(scene.A, "scene.json")), File.ReadAllText(Path.Combine(scene.C, "scene.json")));
    }

    [Fact]
    public void EvalVideo_ShortScene_ReportsFiguresThatAddUp()
    {
        var r = scene.Cli.Run("eval", "video", Path.Combine(scene.A, "scene.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var truth = SceneTruth.Load(Path.Combine(scene.A, "scene.json"));
        var j = r.Json;
        var s = j.GetProperty("score");
        int I(string name) => s.GetProperty(name).GetInt32();

        Assert.All(j.GetProperty("enrolment").EnumerateArray(), e => Assert.Equal(2, e.GetProperty("used").GetInt32()));
        // 2 fps over the whole video: every sampled frame was analysed
        Assert.InRange(I("frames_analysed"), (int)(truth.FrameCount / truth.Fps * 2) - 2, (int)(truth.FrameCount / truth.Fps * 2) + 2);
        // every person shown is on some track, and the counts add up
        Assert.Equal(0, s.GetProperty("people_missed").GetArrayLength());
        Assert.Equal(3, I("truth_people"));
        Assert.Equal(I("tracks"), s.GetProperty("track_details").GetArrayLength());
        Assert.InRange(I("tracks"), 3, 40);
        Assert.Equal(I("tracks"), I("enrolled_tracks") + I("stranger_tracks") + I("tracks_without_truth"));
        var noIdentityWithTruth = s.GetProperty("track_details").EnumerateArray().Count(t => t.GetProperty("outcome").GetString() == "no_identity");
        Assert.Equal(I("enrolled_tracks") + I("stranger_tracks"),
            I("enrolled_named_correctly") + I("enrolled_named_wrongly") + I("enrolled_left_unknown")
            + I("stranger_named_enrolled") + I("stranger_left_unknown") + noIdentityWithTruth);
        Assert.InRange(I("tracks_spanning_people"), 0, I("tracks_touching_people"));
        Assert.InRange(I("appearances_covered"), 1, truth.Appearances.Count);
        // plausible: the recogniser names at least one enrolled person's track, and the stranger has unknown ids
        Assert.True(I("enrolled_named_correctly") >= 1, r.Stdout);
        Assert.InRange(s.GetProperty("unknown_ids_per_stranger").GetDouble(), 0, 20);
        Assert.InRange(s.GetProperty("face_coverage").GetDouble(), 0.3, 1.0);
        Assert.True(s.GetProperty("faces_embedded").GetInt64() > 0);
        Assert.True(s.GetProperty("embeddings_per_second").GetDouble() > 0);
        // the embedding policy (on by default) never embeds more faces than were detected
        Assert.InRange(s.GetProperty("faces_embedded").GetInt64(), 1, s.GetProperty("faces_detected").GetInt64());
        Assert.Equal((double)s.GetProperty("faces_embedded").GetInt64() / s.GetProperty("faces_detected").GetInt64(),
            s.GetProperty("embeddings_per_face").GetDouble(), 9);
        Assert.Equal(s.GetProperty("faces_embedded").GetInt64() / (truth.FrameCount / truth.Fps),
            s.GetProperty("embeddings_per_video_second").GetDouble(), 6);
    }

    [Fact]
    public void EvalVideo_InvalidInput_ExitsTwoWithAReason()
    {
        var missing = scene.Cli.Run("eval", "video", Path.Combine(scene.Cli.Work, "nope.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);

        var notTruth = Path.Combine(scene.Cli.Work, "not-truth.json");
        File.WriteAllText(notTruth, JsonSerializer.Serialize(new { version = 1, fps = 25, width = 1280, height = 720, frame_count = 3, frames = Array.Empty<object>() }));
        var bad = scene.Cli.Run("eval", "video", notTruth);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("frame_count 3", bad.Stderr);
        Assert.DoesNotContain("   at ", bad.Stderr);

        var noTruth = scene.Cli.Run("eval", "video", Path.Combine(scene.A, "scene.mp4"));
        Assert.Equal(2, noTruth.ExitCode);
        Assert.Contains("--truth", noTruth.Stderr);

        // a truth file may not send the evaluator outside its folder
        var escaping = Path.Combine(scene.Cli.Work, "escape");
        Directory.CreateDirectory(escaping);
        var truth = SceneTruth.Load(Path.Combine(scene.A, "scene.json")) with { Video = "../a/scene.mp4" };
        truth.Save(Path.Combine(escaping, "scene.json"));
        var outside = scene.Cli.Run("eval", "video", Path.Combine(escaping, "scene.json"));
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("outside", outside.Stderr);
    }

    [Fact]
    public void MakeScene_TooFewPeople_ExitsTwo()
    {
        var r = scene.Cli.Run("eval", "make-scene", scene.Identities, Path.Combine(scene.Cli.Work, "too-many"), "--people", "9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("too few usable people", r.Stderr);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static (int Frames, int Width, int Height, double Duration) Probe(string video)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                     "stream=nb_read_frames,width,height,codec_name:format=duration", "-of", "json", video })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var json = JsonDocument.Parse(p.StandardOutput.ReadToEnd()).RootElement;
        p.WaitForExit();
        var stream = json.GetProperty("streams")[0];
        Assert.Equal("h264", stream.GetProperty("codec_name").GetString());
        return (int.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture), stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(), double.Parse(json.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture));
    }
}
