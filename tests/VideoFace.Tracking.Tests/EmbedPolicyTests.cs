using VideoFace.Tracking;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Tracking.Tests;

/// <summary>The per-face embedding decision, driven as the camera pipeline drives it: decide, embed the chosen faces,
/// update the tracker, observe.</summary>
public class EmbedPolicyTests
{
    /// <summary>A synthetic person: identity vector (embeddings) and thumbprint.</summary>
    private sealed record Person(float[] Identity, float[] Print);

    private static Person Someone(int seed) => new(Synth.Person(seed), Synth.Person(seed + 1000, 256));

    /// <summary>A face of <paramref name="who"/> in <paramref name="box"/>.</summary>
    private sealed record Shown(Person Who, FaceBox Box, float Score = 0.9f);

    /// <summary>Runs the frames (2 fps) through a tracker and a policy; returns per frame the reasons and the assignments.</summary>
    private sealed class Camera(EmbedMode mode, Action<TrackerOptions>? change = null)
    {
        private readonly Random _rng = new(7);
        private readonly TrackerOptions _options = Options(o =>
        {
            o.EmbedPolicy.Mode = mode;
            change?.Invoke(o);
        });
        public FaceTracker Tracker { get; private set; } = null!;
        public EmbedPolicy Policy { get; private set; } = null!;
        public List<TrackEvent> Events { get; } = [];
        private int _frame;

        public Camera Start()
        {
            Tracker = new FaceTracker("cam1", _options, session: "test");
            Policy = new EmbedPolicy(_options);
            return this;
        }

        public (IReadOnlyList<EmbedReason> Reasons, IReadOnlyList<TrackAssignment> Assignments) Show(params Shown[] faces)
        {
            var time = At(_frame++);
            var bare = Frame(time, faces.Select(f => Face(f.Box, null, f.Score)).ToArray());
            var prints = faces.Select(f => (float[]?)Sighting(f.Who.Print, _rng, 0.01f)).ToList();
            var reasons = Policy.Decide(bare, prints, Tracker.Tracks);
            var embedded = Frame(time, faces.Select((f, i) =>
                Face(f.Box, reasons[i] == EmbedReason.Skip ? null : Sighting(f.Who.Identity, _rng), f.Score)).ToArray());
            var update = Tracker.Update(embedded);
            Events.AddRange(update.Events);
            Policy.Observe(embedded, prints, update, Tracker.Tracks);
            return (reasons, update.Assignments);
        }
    }

    private static readonly FaceBox Spot = Box(640, 360, 150);

    [Fact]
    public void A_steady_face_is_skipped_after_its_first_faces_until_re_verification()
    {
        var cam = new Camera(EmbedMode.OnChange).Start();
        var a = Someone(1);
        var reasons = Enumerable.Range(0, 10).Select(_ => cam.Show(new Shown(a, Spot)).Reasons[0]).ToList();

        // new, then unsettled until FirstFaces (3) are embedded; then every other frame at 2 fps (re-verify after 1 s)
        Assert.Equal(
            [EmbedReason.NoTrack, EmbedReason.Unsettled, EmbedReason.Unsettled, EmbedReason.Skip, EmbedReason.Reverify,
             EmbedReason.Skip, EmbedReason.Reverify, EmbedReason.Skip, EmbedReason.Reverify, EmbedReason.Skip], reasons);
        var track = Assert.Single(cam.Tracker.Tracks);
        Assert.Equal(10, track.HitCount); // skipped faces are still sightings of the track
        Assert.Equal(6, track.EvidenceFaces); // but only embedded ones are evidence
    }

    [Fact]
    public void A_cut_to_a_look_alike_at_the_same_spot_is_embedded_and_splits_the_track_as_with_every_face()
    {
        var a = Someone(1);
        // cosine 0.42 to A: passes the appearance gate, so only the split rule keeps the two apart
        var b = new Person(LookAlike(a.Identity, 0.42f, 5), Synth.Person(2000, 256));
        var script = Enumerable.Repeat(a, 5).Concat(Enumerable.Repeat(b, 7)).ToList();

        var every = new Camera(EmbedMode.EveryFace).Start();
        var onChange = new Camera(EmbedMode.OnChange).Start();
        var everyTracks = script.Select(p => every.Show(new Shown(p, Spot)).Assignments[0].TrackId).ToList();
        var results = script.Select(p => onChange.Show(new Shown(p, Spot))).ToList();

        Assert.Equal(EmbedReason.Skip, results[3].Reasons[0]); // a settled, unchanged face before the cut
        Assert.Equal(EmbedReason.Changed, results[5].Reasons[0]); // the cut: the thumbprint changed
        Assert.Equal(EmbedReason.Unsettled, results[6].Reasons[0]); // the doubt is settled by an embedding too
        // the same tracks, face by face, as when every face is embedded: A's track ends (split), B's starts
        Assert.Equal(everyTracks, results.Select(r => r.Assignments[0].TrackId).ToList());
        var split = Assert.Single(onChange.Events, e => e.Kind == TrackEventKind.Ended);
        Assert.Equal(TrackEndReason.Split, split.Track.EndReason);
        Assert.NotEqual(results[0].Assignments[0].TrackId, results[^1].Assignments[0].TrackId);
    }

    [Fact]
    public void A_cut_the_thumbprint_misses_is_found_at_re_verification()
    {
        var a = Someone(1);
        // looks the same to the thumbprint, not to the embedder
        var twin = new Person(LookAlike(a.Identity, 0.42f, 5), a.Print);
        var cam = new Camera(EmbedMode.OnChange).Start();
        var results = Enumerable.Repeat(a, 3).Concat(Enumerable.Repeat(twin, 7)).Select(p => cam.Show(new Shown(p, Spot))).ToList();

        Assert.Equal(EmbedReason.Skip, results[3].Reasons[0]); // missed: last embedding 0.5 s old, print unchanged
        Assert.Equal(EmbedReason.Reverify, results[4].Reasons[0]);
        Assert.Equal(EmbedReason.Unsettled, results[5].Reasons[0]);
        var split = Assert.Single(cam.Events, e => e.Kind == TrackEventKind.Ended);
        Assert.Equal(TrackEndReason.Split, split.Track.EndReason);
        // the twin's last faces are on a track of their own
        Assert.NotEqual(results[0].Assignments[0].TrackId, results[^1].Assignments[0].TrackId);
    }

    [Fact]
    public void A_new_face_elsewhere_is_embedded_while_the_settled_one_is_skipped()
    {
        var a = Someone(1);
        var b = Someone(2);
        var cam = new Camera(EmbedMode.OnChange).Start();
        for (int i = 0; i < 4; i++) cam.Show(new Shown(a, Spot));
        var (reasons, _) = cam.Show(new Shown(a, Spot), new Shown(b, Box(200, 300, 120)));
        Assert.Equal([EmbedReason.Reverify, EmbedReason.NoTrack], reasons);
        (reasons, _) = cam.Show(new Shown(a, Spot), new Shown(b, Box(200, 300, 120)));
        Assert.Equal([EmbedReason.Skip, EmbedReason.Unsettled], reasons);
    }

    [Fact]
    public void A_face_moving_steadily_is_followed_by_its_velocity()
    {
        var a = Someone(1);
        var cam = new Camera(EmbedMode.OnChange).Start();
        // 100 px a frame with a 150 px box: under 0.5 IoU with the last box, but where its velocity puts it
        var reasons = Enumerable.Range(0, 6).Select(i => cam.Show(new Shown(a, Box(200 + 100 * i, 360, 150))).Reasons[0]).ToList();
        Assert.Equal(
            [EmbedReason.NoTrack, EmbedReason.NoTrack, EmbedReason.Unsettled, EmbedReason.Skip, EmbedReason.Reverify, EmbedReason.Skip],
            reasons);
        Assert.Single(cam.Tracker.Tracks);
    }

    [Fact]
    public void Two_faces_on_one_track_are_embedded()
    {
        var a = Someone(1);
        var b = Someone(2);
        var cam = new Camera(EmbedMode.OnChange).Start();
        for (int i = 0; i < 4; i++) cam.Show(new Shown(a, Spot));
        // someone steps half into A's box
        var (reasons, _) = cam.Show(new Shown(a, Spot), new Shown(b, Box(680, 360, 150)));
        Assert.All(reasons, r => Assert.Equal(EmbedReason.Ambiguous, r));
    }

    [Fact]
    public void A_clearly_better_face_or_a_resized_box_is_embedded()
    {
        var a = Someone(1);
        var cam = new Camera(EmbedMode.OnChange).Start();
        for (int i = 0; i < 5; i++) cam.Show(new Shown(a, Spot, Score: 0.6f));
        Assert.Equal(EmbedReason.BetterFace, cam.Show(new Shown(a, Spot, Score: 0.9f)).Reasons[0]);
        Assert.Equal(EmbedReason.Skip, cam.Show(new Shown(a, Spot, Score: 0.9f)).Reasons[0]);
        Assert.Equal(EmbedReason.Resized, cam.Show(new Shown(a, Box(640, 360, 200), Score: 0.9f)).Reasons[0]);
    }

    [Fact]
    public void A_face_missing_its_print_is_embedded()
    {
        var a = Someone(1);
        var options = Options(o => o.EmbedPolicy.Mode = EmbedMode.OnChange);
        var tracker = new FaceTracker("cam1", options, session: "test");
        var policy = new EmbedPolicy(options);
        var rng = new Random(3);
        for (int i = 0; i < 4; i++)
        {
            var frame = Frame(At(i), Face(Spot, Sighting(a.Identity, rng)));
            policy.Observe(frame, [a.Print], tracker.Update(frame), tracker.Tracks);
        }
        Assert.Equal([EmbedReason.Changed], policy.Decide(Frame(At(4) - TimeSpan.FromMilliseconds(100), Face(Spot)), [null], tracker.Tracks));
        Assert.Equal([EmbedReason.Skip], policy.Decide(Frame(At(4) - TimeSpan.FromMilliseconds(100), Face(Spot)), [a.Print], tracker.Tracks));
        // a clock set back: the last embedding is "in the future" and vouches for nothing
        Assert.Equal([EmbedReason.Reverify], policy.Decide(Frame(At(0), Face(Spot)), [a.Print], tracker.Tracks));
    }

    [Fact]
    public void Every_face_mode_embeds_every_face()
    {
        var cam = new Camera(EmbedMode.EveryFace).Start();
        var a = Someone(1);
        for (int i = 0; i < 6; i++) Assert.Equal([EmbedReason.EveryFace], cam.Show(new Shown(a, Spot)).Reasons);
        Assert.Equal(6, Assert.Single(cam.Tracker.Tracks).EvidenceFaces);
    }

    [Fact]
    public void The_default_embeds_on_change()
    {
        Assert.Equal(EmbedMode.OnChange, new TrackerOptions().EmbedPolicy.Mode);
        Assert.Equal(EmbedMode.OnChange, new EmbedPolicy(new TrackerOptions()).Mode);
    }

    [Theory]
    [InlineData("ReverifyInterval")]
    [InlineData("FirstFaces")]
    [InlineData("ConfidentIoU")]
    [InlineData("MaxScaleChange")]
    [InlineData("QualityGain")]
    [InlineData("MinThumbprintLikeness")]
    [InlineData("Mode")]
    public void Invalid_settings_are_refused_by_name(string key)
    {
        var o = new TrackerOptions();
        switch (key)
        {
            case "ReverifyInterval": o.EmbedPolicy.ReverifyInterval = TimeSpan.Zero; break;
            case "FirstFaces": o.EmbedPolicy.FirstFaces = 0; break;
            case "ConfidentIoU": o.EmbedPolicy.ConfidentIoU = 0; break;
            case "MaxScaleChange": o.EmbedPolicy.MaxScaleChange = 0.5f; break;
            case "QualityGain": o.EmbedPolicy.QualityGain = float.NaN; break;
            case "MinThumbprintLikeness": o.EmbedPolicy.MinThumbprintLikeness = 2; break;
            case "Mode": o.EmbedPolicy.Mode = (EmbedMode)7; break;
        }
        var error = Assert.Single(o.Validate());
        Assert.StartsWith($"Tracking:EmbedPolicy:{key} ", error);
        Assert.Throws<ArgumentException>(() => new EmbedPolicy(o));
    }
}
