using VideoFace.Datasets.Scenes;

namespace VideoFace.Datasets.Tests;

public sealed class SceneScoringTests
{
    // Ann (enrolled) on the left for frames 0-9, then Bob (enrolled) on the left for 10-19 (a cut at one spot);
    // Sam and Tom (strangers) on the right, Sam for 0-9 and Tom for 10-19.
    private static readonly float[] Left = [100, 100, 100, 100], Right = [600, 100, 100, 100];

    private static SceneTruth Truth()
    {
        var frames = Enumerable.Range(0, 20).Select(f => new SceneFrame(f, f < 10
            ? [new SceneFace(0, "Ann", true, Left), new SceneFace(2, "Sam", false, Right)]
            : [new SceneFace(1, "Bob", true, Left), new SceneFace(3, "Tom", false, Right)])).ToList();
        return new SceneTruth
        {
            Fps = 10, Width = 800, Height = 400, FrameCount = 20, Frames = frames,
            Enrolment = [new SceneEnrolment("Ann", ["enrol/Ann/a.jpg"], ["a.jpg"]), new SceneEnrolment("Bob", ["enrol/Bob/b.jpg"], ["b.jpg"])],
            Appearances =
            [
                new SceneAppearance(0, "Ann", true, "a2.jpg", 0, 10, 0, false), new SceneAppearance(1, "Bob", true, "b2.jpg", 10, 20, 0, false),
                new SceneAppearance(2, "Sam", false, "s.jpg", 0, 10, 0, false), new SceneAppearance(3, "Tom", false, "t.jpg", 10, 20, 0, false),
            ],
        };
    }

    private static IEnumerable<TrackedFace> On(string track, float[] box, int from, int to, float shift = 0) =>
        Enumerable.Range(from, to - from).Select(f => new TrackedFace(f, track, box[0] + shift, box[1], box[2], box[3]));

    [Fact]
    public void Score_TrackKeptThroughCut_SpansTwoPeopleAndIsJudgedByItsMainPerson()
    {
        // t1 follows Ann and keeps going on Bob for 4 frames; t2 is Bob afterwards; right side: one track each
        var faces = On("t1", Left, 0, 14).Concat(On("t2", Left, 14, 20)).Concat(On("t3", Right, 0, 10)).Concat(On("t4", Right, 10, 20)).ToList();
        var verdicts = new Dictionary<string, TrackVerdict>
        {
            ["t1"] = new("p-ann", "Ann"), ["t2"] = new("p-bob", "Bob"), ["t3"] = new("u-1", null), ["t4"] = new("u-2", null),
        };
        var run = new SceneObservations(Enumerable.Range(0, 20).ToList(), faces, ["t1", "t2", "t3", "t4"], verdicts, 40, 4, FacesDetected: 50);

        var s = SceneScoring.Score(Truth(), run);

        Assert.Equal(4, s.Tracks);
        Assert.Equal(1, s.TracksSpanningPeople);
        Assert.Equal(1, s.TracksTouchingPeople);
        Assert.Equal((2, 2, 0, 0), (s.EnrolledTracks, s.EnrolledNamedCorrectly, s.EnrolledNamedWrongly, s.EnrolledLeftUnknown));
        Assert.Equal((2, 0, 2), (s.StrangerTracks, s.StrangerNamedEnrolled, s.StrangerLeftUnknown));
        Assert.Equal(16 / 20.0, s.EnrolledFacesNamedCorrectly, 9); // Bob's first 4 faces are on Ann's track
        Assert.Equal(0.0, s.StrangerFacesNamed);
        Assert.Equal(1.0, s.UnknownIdsPerStranger);
        Assert.Equal(1.0, s.PeoplePerUnknownId);
        Assert.Empty(s.PeopleMissed);
        Assert.Equal(4, s.AppearancesCovered);
        Assert.Equal(1.25, s.TracksPerAppearance); // Bob's appearance has two tracks
        Assert.Equal(1.0, s.FaceCoverage);
        Assert.Equal(10.0, s.EmbeddingsPerSecond);
        Assert.Equal(0.8, s.EmbeddingsPerFace, 9); // 40 of 50 detected faces embedded
        Assert.Equal(20.0, s.EmbeddingsPerVideoSecond, 9); // 40 in 2 s of video (20 frames at 10 fps)
    }

    [Fact]
    public void Score_StrangerNamedAndUnknownIdShared_CountsFalseAcceptAndImpurity()
    {
        var faces = On("t1", Left, 0, 10).Concat(On("t2", Left, 10, 20)).Concat(On("t3", Right, 0, 10)).Concat(On("t4", Right, 10, 20)).ToList();
        var verdicts = new Dictionary<string, TrackVerdict>
        {
            // Ann left unknown, in the same unknown identity as Sam; Bob named Ann; Tom named Bob
            ["t1"] = new("u-1", null), ["t2"] = new("p-ann", "Ann"), ["t3"] = new("u-1", null), ["t4"] = new("p-bob", "Bob"),
        };
        var run = new SceneObservations(Enumerable.Range(0, 20).ToList(), faces, ["t1", "t2", "t3", "t4"], verdicts, 40, 4);

        var s = SceneScoring.Score(Truth(), run);

        Assert.Equal((0, 1, 1), (s.EnrolledNamedCorrectly, s.EnrolledNamedWrongly, s.EnrolledLeftUnknown));
        Assert.Equal((1, 1), (s.StrangerNamedEnrolled, s.StrangerLeftUnknown));
        Assert.Equal(0.5, s.StrangerFacesNamed);
        Assert.Equal(0.0, s.EnrolledFacesNamedCorrectly);
        Assert.Equal(2.0, s.PeoplePerUnknownId);
        Assert.Equal(1, s.ImpureUnknownIds);
        Assert.Equal(0, s.TracksSpanningPeople);
    }

    [Fact]
    public void Score_UnannouncedFalseAndUnnamedTracks_AreKeptApart()
    {
        // t1: Ann, announced but never reached an identity; t2: a box on no one (false detection); t3: tentative only
        // (not announced), ignored; Bob and both strangers are never tracked
        var faces = On("t1", Left, 0, 10).Concat(On("t2", [300, 300, 50, 50], 0, 10)).Concat(On("t3", Right, 0, 10)).ToList();
        var run = new SceneObservations(Enumerable.Range(0, 20).ToList(), faces, ["t1", "t2"], new Dictionary<string, TrackVerdict>(), 20, 2);

        var s = SceneScoring.Score(Truth(), run);

        Assert.Equal(2, s.Tracks);
        Assert.Equal(1, s.TracksWithoutTruth);
        Assert.Equal(2, s.TracksWithoutIdentity);
        Assert.Equal(1, s.EnrolledTracks);
        Assert.Equal(0, s.StrangerTracks);
        Assert.Equal(new[] { "Bob", "Sam", "Tom" }, s.PeopleMissed);
        Assert.Equal(0.25, s.FaceCoverage);
    }

    [Fact]
    public void Score_TrackEvenlySplitBetweenTwoPeople_IsJudgedByThePersonItStartedOn()
    {
        // t1: Ann's last 5 frames then Bob's first 5 (a cut kept in one track), named Bob
        var faces = On("t1", Left, 5, 15).ToList();
        var run = new SceneObservations(Enumerable.Range(0, 20).ToList(), faces, ["t1"],
            new Dictionary<string, TrackVerdict> { ["t1"] = new("p-bob", "Bob") }, 10, 1);

        var s = SceneScoring.Score(Truth(), run);

        Assert.Equal("Ann", Assert.Single(s.TrackDetails).Truth);
        Assert.Equal(0.5, s.EnrolledFacesNamedCorrectly); // Bob's five faces carry his name, Ann's five do not
        Assert.Equal(1, s.EnrolledNamedWrongly);
        Assert.Equal(1, s.TracksSpanningPeople);
    }

    [Fact]
    public void Score_FaceBelowIoUThreshold_DoesNotMatch()
    {
        // shifted by 80 px on a 100 px box: IoU 20/180 ≈ 0.11
        var run = new SceneObservations([0, 1, 2], On("t1", Left, 0, 3, shift: 80).ToList(), ["t1"],
            new Dictionary<string, TrackVerdict> { ["t1"] = new("u-1", null) }, 3, 1);

        var s = SceneScoring.Score(Truth(), run);

        Assert.Equal(1, s.TracksWithoutTruth);
        Assert.Equal(0, s.EnrolledTracks);
    }

    [Fact]
    public void Validate_BoxOutsideFrameOrFrameCountMismatch_IsReported()
    {
        var truth = Truth() with
        {
            FrameCount = 21,
            Frames = [.. Truth().Frames.Take(19), new SceneFrame(19, [new SceneFace(0, "Ann", true, [750, 100, 100, 100])])],
        };

        var problems = truth.Validate();

        Assert.Contains(problems, p => p.Contains("frame_count 21", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not inside", StringComparison.Ordinal));
        Assert.NotEmpty((Truth() with { Enrolment = [new SceneEnrolment("Ann\u0007", ["a.jpg"], ["a.jpg"])] }).Validate());
        Assert.Empty(Truth().Validate());
    }

    [Fact]
    public void Load_NotATruthFile_IsInvalidData()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["bad.json"], "{\"version\": 1, \"fps\": -3, \"frames\": null}");
        File.WriteAllText(dir["garbage.json"], "not json");
        Assert.Throws<InvalidDataException>(() => SceneTruth.Load(dir["bad.json"]));
        Assert.Throws<InvalidDataException>(() => SceneTruth.Load(dir["garbage.json"]));
        Assert.Throws<FileNotFoundException>(() => SceneTruth.Load(dir["missing.json"]));
    }

    [Fact]
    public void SaveLoad_RoundTrips()
    {
        using var dir = new TempDir();
        Truth().Save(dir["scene.json"]);
        var back = SceneTruth.Load(dir["scene.json"]);
        Assert.Equal(20, back.Frames.Count);
        Assert.Equal(Right, back.Frames[12].Faces[1].Box);
        Assert.Equal("Tom", back.Frames[12].Faces[1].Identity);
        Assert.Equal(new[] { "enrol/Bob/b.jpg" }, back.Enrolment[1].Photos);
    }
}
