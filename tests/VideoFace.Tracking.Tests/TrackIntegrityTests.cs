using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Tracking.Tests;

/// <summary>
/// One track, one person: the appearance gate, the split on doubtful faces, motion-only association and the evidence
/// updates. Look-alikes are identity vectors at a chosen cosine, placed on the default model's measured distributions
/// (impostor p99 0.248, max 0.365; genuine photo pairs p5 0.429); the defaults gate at 0.30 and split below 0.45.
/// </summary>
public class TrackIntegrityTests
{
    private static readonly FaceBox Spot = Box(400, 300, 90);

    /// <summary>Sighting noise: cosine about 0.99 to the identity, as faces of one person in consecutive frames.</summary>
    private const float Noise = 0.03f;

    /// <summary>The tracker as it was before the gate was raised: cosine 0.1 rejected, nothing doubtful, position
    /// alone enough at MinIoU. The controls below show each scenario really breaks a track without the new rules.</summary>
    private static TrackerOptions Legacy(Action<TrackerOptions>? change = null) => Options(o =>
    {
        o.RejectSimilarity = 0.1f;
        o.SplitSimilarity = 0.1f;
        o.MotionOnlyMinIoU = o.MinIoU;
        change?.Invoke(o);
    });

    /// <summary>Runs the frames (person index and box per face, or none) and returns the track ids each person's faces got.</summary>
    private static Dictionary<int, List<string>> Run(FaceTracker tracker, float[][] people, (int Person, FaceBox Box)[][] frames, int seed = 1, float noise = Noise)
    {
        var rng = new Random(seed);
        var ids = new Dictionary<int, List<string>>();
        for (int f = 0; f < frames.Length; f++)
        {
            var faces = frames[f];
            var update = tracker.Update(Frame(At(f), [.. faces.Select(x => Face(x.Box, Sighting(people[x.Person], rng, noise)))]));
            for (int i = 0; i < faces.Length; i++)
            {
                if (!ids.TryGetValue(faces[i].Person, out var list)) ids[faces[i].Person] = list = [];
                list.Add(update.Assignments[i].TrackId!);
            }
        }
        return ids;
    }

    private static (int, FaceBox)[] Alone(int person, FaceBox box) => [(person, box)];

    [Theory]
    [InlineData(0.0f, false)]  // a stranger: even the old gate told them apart
    [InlineData(0.25f, true)]  // a look-alike at the impostor p99 (0.248): above the old gate of 0.1, below 0.30
    public void SameSpotCut_TwoDifferentPeople_TwoTracksNeitherSpanning(float cosine, bool legacySpans)
    {
        // A door or a counter: Alice for 3 s, then Bob in exactly her box (a hard cut, or the next customer).
        var alice = Person(1);
        float[][] people = [alice, LookAlike(alice, cosine, 2)];
        var frames = Enumerable.Range(0, 12).Select(f => Alone(f < 6 ? 0 : 1, Spot)).ToArray();

        var ids = Run(Tracker(), people, frames);
        var aliceTrack = Assert.Single(ids[0].Distinct());
        var bobTrack = Assert.Single(ids[1].Distinct());
        Assert.NotEqual(aliceTrack, bobTrack);

        var legacy = Run(Tracker(Legacy()), people, frames);
        Assert.Equal(legacySpans, legacy[0].Intersect(legacy[1]).Any());
    }

    [Fact]
    public void SameSpotCut_AlicesTrack_KeepsOnlyHerFacesAndEmbedding()
    {
        var alice = Person(1);
        var bob = LookAlike(alice, 0.25f, 2);
        var tracker = Tracker();
        Run(tracker, [alice, bob], [.. Enumerable.Range(0, 12).Select(f => Alone(f < 6 ? 0 : 1, Spot))]);
        var ended = tracker.EndAll(At(12));
        var aliceTrack = Assert.Single(ended, e => e.Track.StartTime == At(0)).Track;
        Assert.Equal(6, aliceTrack.HitCount);
        Assert.Equal(6, aliceTrack.EvidenceFaces);
        Assert.Equal(At(5), aliceTrack.EndTime);
        Assert.True(Embeddings.Cosine(aliceTrack.Embedding!, alice) > 0.95f);
    }

    [Fact]
    public void TwoLookAlikesSwappingPlacesBetweenFrames_EachTrackKeepsItsPerson()
    {
        // Side by side at a low-fps camera, then each where the other stood: every box matches the other's track
        // exactly, and only appearance can tell. Cosine 0.25 between them (impostor p99) passed the old gate.
        var alice = Person(1);
        float[][] people = [alice, LookAlike(alice, 0.25f, 2)];
        FaceBox left = Box(400, 300, 90), right = Box(600, 300, 90);
        var frames = Enumerable.Range(0, 8).Select(f => f < 4 ? new[] { (0, left), (1, right) } : [(0, right), (1, left)]).ToArray();

        var ids = Run(Tracker(), people, frames);
        Assert.Single(ids[0].Distinct());
        Assert.Single(ids[1].Distinct());
        Assert.NotEqual(ids[0][0], ids[1][0]);

        // The control: by the old rules the boxes win and the identities swap.
        var legacy = Run(Tracker(Legacy()), people, frames);
        Assert.Equal(legacy[1][0], legacy[0][^1]);
    }

    [Fact]
    public void PersonLeavingAndReappearing_ALookAlikeAtHerSpotMeanwhile_EachKeepsTheirOwnTrack()
    {
        // Alice leaves the counter; Carol (cosine 0.40: past the gate, below the split similarity) steps into the very
        // same spot and leaves; Alice comes back within MaxAge. The lost track re-attaches only to a face that clearly
        // agrees, so Carol cannot take it over, and Alice still gets it back.
        var alice = Person(1);
        float[][] people = [alice, LookAlike(alice, 0.40f, 3)];
        var none = Array.Empty<(int, FaceBox)>();
        (int, FaceBox)[][] frames =
        [
            Alone(0, Spot), Alone(0, Spot), Alone(0, Spot), Alone(0, Spot), none, none,
            Alone(1, Spot), Alone(1, Spot), Alone(1, Spot), none, none,
            Alone(0, Spot), Alone(0, Spot),
        ];
        var tracker = Tracker();
        var ids = Run(tracker, people, frames);
        var aliceTrack = Assert.Single(ids[0].Distinct());
        var carolTrack = Assert.Single(ids[1].Distinct());
        Assert.NotEqual(aliceTrack, carolTrack);
        var track = tracker.Tracks.Single(t => t.Id == aliceTrack);
        Assert.Equal(6, track.HitCount);
        Assert.Equal(6, track.EvidenceFaces);
        Assert.Equal(At(0), track.StartTime);

        var legacy = Run(Tracker(Legacy()), people, frames);
        Assert.Single(legacy[0].Concat(legacy[1]).Distinct()); // the control: one track for both women
    }

    [Fact]
    public void BorderlineDrift_WithinTheGateButBelowSplitSimilarity_SplitsAfterTwoFacesWithoutPollution()
    {
        // Alice for 5 frames, then Carol at the same spot whose faces score between the gate (0.30) and the split
        // similarity (0.45) against Alice's track: each could join it, two in a row show it is someone else.
        var alice = Person(1);
        var carol = LookAlike(alice, 0.40f, 3);
        var rng = new Random(4);
        var tracker = Tracker();
        var aliceFaces = Enumerable.Range(0, 5).Select(_ => Sighting(alice, rng, Noise)).ToArray();
        string? aliceId = null;
        for (int f = 0; f < 5; f++) aliceId = tracker.Update(Frame(At(f), Face(Spot, aliceFaces[f]))).Assignments[0].TrackId;
        var before = tracker.Tracks.Single();

        var carolFaces = Enumerable.Range(0, 5).Select(_ => Sighting(carol, rng, Noise)).ToArray();
        Assert.All(carolFaces, c => Assert.InRange(Embeddings.Cosine(c, before.Embedding!), 0.30f, 0.45f)); // the premise

        // The first doubtful face stays on Alice's track (it may be her, turned away) but changes nothing of it.
        var first = tracker.Update(Frame(At(5), Face(Spot, carolFaces[0])));
        Assert.Equal(aliceId, first.Assignments[0].TrackId);
        Assert.False(first.Assignments[0].IsNewBestFace);
        Assert.Empty(first.Events);

        // The second ends Alice's track as it was before the doubt and starts Carol's from both of her faces.
        var second = tracker.Update(Frame(At(6), Face(Spot, carolFaces[1])));
        Assert.Equal([TrackEventKind.Ended, TrackEventKind.Started], second.Events.Select(e => e.Kind));
        var ended = second.Events[0].Track;
        Assert.Equal(aliceId, ended.Id);
        Assert.Equal(TrackEndReason.Split, ended.EndReason);
        Assert.Equal(At(4), ended.EndTime);
        Assert.Equal(5, ended.HitCount);
        Assert.Equal(5, ended.EvidenceFaces);
        Assert.Equal(before.Embedding, ended.Embedding);
        Assert.Equal(before.BestFace, ended.BestFace);

        var carolId = second.Assignments[0].TrackId;
        Assert.NotEqual(aliceId, carolId);
        Assert.True(second.Assignments[0].IsNewBestFace); // this frame is at hand for the thumbnail
        var started = second.Events[1].Track;
        Assert.Equal(carolId, started.Id);
        Assert.Equal(At(5), started.StartTime);
        Assert.Equal(2, started.HitCount);
        Assert.Equal(2, started.EvidenceFaces);
        Assert.True(Embeddings.Cosine(started.Embedding!, carol) > 0.95f);

        for (int f = 7; f < 10; f++)
            Assert.Equal(carolId, tracker.Update(Frame(At(f), Face(Spot, carolFaces[f - 5]))).Assignments[0].TrackId);
        Assert.Equal(carolId, Assert.Single(tracker.Tracks).Id);

        // The control: without the split rule Carol simply continues Alice's track.
        var legacy = Run(Tracker(Legacy()), [alice, carol], [.. Enumerable.Range(0, 10).Select(f => Alone(f < 5 ? 0 : 1, Spot))]);
        Assert.Single(legacy[0].Concat(legacy[1]).Distinct());
    }

    [Fact]
    public void TwoDifferentDoubtfulFacesInARow_Split_TheNewTrackHoldsOnlyTheLatest()
    {
        // Carol, then Dana, each past the gate of Alice's track but below the split similarity, and unlike each other:
        // Alice's track ends, and the new track is Dana's alone (Carol's face is not hers to keep).
        var alice = Person(1);
        var (carol, dana) = (LookAlike(alice, 0.40f, 3), LookAlike(alice, 0.40f, 7));
        var rng = new Random(11);
        var tracker = Tracker();
        for (int f = 0; f < 5; f++) tracker.Update(Frame(At(f), Face(Spot, Sighting(alice, rng, Noise))));
        var (c, d) = (Sighting(carol, rng, Noise), Sighting(dana, rng, Noise));
        Assert.True(Embeddings.Cosine(c, d) < new TrackerOptions().SplitSimilarity); // the premise

        tracker.Update(Frame(At(5), Face(Spot, c)));
        var update = tracker.Update(Frame(At(6), Face(Spot, d)));
        var ended = Assert.Single(update.Events);
        Assert.Equal((TrackEventKind.Ended, TrackEndReason.Split), (ended.Kind, ended.Track.EndReason));
        Assert.Equal(TrackState.Tentative, update.Assignments[0].State);
        var track = tracker.Tracks.Single();
        Assert.Equal((At(6), 1, 1), (track.StartTime, track.HitCount, track.EvidenceFaces));
    }

    [Fact]
    public void OneDoubtfulFace_ThenThePersonAgain_NoSplitAndTheEmbeddingIsUntouched()
    {
        // A single poor face (blur, a sharp turn) scoring below the split similarity, then Alice again: one track,
        // whose embedding is exactly what it would be had that face never been seen.
        var alice = Person(1);
        var odd = LookAlike(alice, 0.40f, 5);
        var rng = new Random(6);
        var faces = Enumerable.Range(0, 9).Select(f => f == 5 ? Sighting(odd, rng, Noise) : Sighting(alice, rng, Noise)).ToArray();

        var tracker = Tracker();
        var ids = faces.Select((e, f) => tracker.Update(Frame(At(f), Face(Spot, e))).Assignments[0].TrackId).ToList();
        Assert.Single(ids.Distinct());
        var track = Assert.Single(tracker.Tracks);
        Assert.Equal(9, track.HitCount);     // the doubtful face was a sighting of her after all
        Assert.Equal(8, track.EvidenceFaces); // but not evidence of what she looks like

        var without = Tracker();
        for (int f = 0; f < faces.Length; f++)
            without.Update(f == 5 ? Frame(At(f)) : Frame(At(f), Face(Spot, faces[f])));
        Assert.Equal(Assert.Single(without.Tracks).Embedding, track.Embedding);
    }

    [Fact]
    public void FaceWithoutEmbedding_NearALostTrack_JoinsOnlyOnAClearOverlap()
    {
        // Alice stands still, is missed for a frame, then a face appears beside her box (70 px away: IoU 0.07, within
        // MaxMotionDistance) or right on it.
        var alice = Person(1);
        string? Join(FaceBox box, bool missed, bool embedded)
        {
            var rng = new Random(7);
            var tracker = Tracker();
            string? id = null;
            for (int f = 0; f < 3; f++) id = tracker.Update(Frame(At(f), Face(Spot, Sighting(alice, rng)))).Assignments[0].TrackId;
            if (missed) tracker.Update(Frame(At(3)));
            var face = Face(box, embedded ? Sighting(alice, rng) : null);
            return tracker.Update(Frame(At(4), face)).Assignments[0].TrackId == id ? id : null;
        }
        var beside = Box(470, 300, 90);
        Assert.True(Spot.IoU(beside) < new TrackerOptions().MotionOnlyMinIoU);

        Assert.Null(Join(beside, missed: true, embedded: false));    // position alone does not re-find a lost track
        Assert.NotNull(Join(Spot, missed: true, embedded: false));   // unless the boxes clearly overlap (a missed detection)
        Assert.NotNull(Join(beside, missed: true, embedded: true));  // with her embedding, beside is fine
        Assert.NotNull(Join(beside, missed: false, embedded: false)); // a step beside a track seen in the previous frame
    }

    [Fact]
    public void FaceWithoutEmbedding_FarFromALostTrack_IsNeverReidentified()
    {
        var alice = Person(1);
        string? Reappear(bool embedded)
        {
            var rng = new Random(8);
            var tracker = Tracker();
            string? id = null;
            for (int f = 0; f < 3; f++) id = tracker.Update(Frame(At(f), Face(Spot, Sighting(alice, rng)))).Assignments[0].TrackId;
            tracker.Update(Frame(At(3)));
            var back = tracker.Update(Frame(At(4), Face(Box(1000, 450, 90), embedded ? Sighting(alice, rng) : null)));
            return back.Assignments[0].TrackId == id ? id : null;
        }
        Assert.Null(Reappear(embedded: false));
        Assert.NotNull(Reappear(embedded: true));
    }

    [Fact]
    public void FaceWithoutEmbedding_BetterThanTheBest_DoesNotReplaceAnEmbeddedTracksThumbnail()
    {
        // Someone steps into Alice's box while the embedder skipped the face: it joins by position but cannot be checked,
        // so the bigger face does not become her thumbnail; her own bigger face later does.
        var alice = Person(1);
        var rng = new Random(9);
        var tracker = Tracker();
        tracker.Update(Frame(At(0), Face(Box(400, 300, 60), Sighting(alice, rng))));
        tracker.Update(Frame(At(1), Face(Box(400, 300, 60), Sighting(alice, rng))));
        var unverified = tracker.Update(Frame(At(2), Face(Box(400, 300, 80))));
        Assert.False(unverified.Assignments[0].IsNewBestFace);
        Assert.Equal(At(0), Assert.Single(tracker.Tracks).BestFace.FrameTime);
        Assert.True(tracker.Update(Frame(At(3), Face(Box(400, 300, 80), Sighting(alice, rng)))).Assignments[0].IsNewBestFace);
    }

    [Fact]
    public void EvidenceUpdates_EmbeddedFacesDoubling_UpdatedWithEvidenceGrew()
    {
        // A steady face (its best face never improves), embedded every other frame, no heartbeat.
        var alice = Person(1);
        var rng = new Random(10);
        List<TrackEvent> Events(bool evidenceUpdates)
        {
            var tracker = Tracker(Options(o => { o.UpdateInterval = TimeSpan.Zero; o.EvidenceUpdates = evidenceUpdates; }));
            var events = new List<TrackEvent>();
            for (int f = 0; f < 30; f++)
                events.AddRange(tracker.Update(Frame(At(f), Face(Spot, f % 2 == 0 ? Sighting(alice, rng) : null))).Events);
            return events;
        }

        var events = Events(evidenceUpdates: true);
        Assert.Equal(TrackEventKind.Started, events[0].Kind);
        Assert.Equal(1, events[0].Track.EvidenceFaces); // confirmed on frame 1, one embedded face so far
        var updates = events.Skip(1).ToList();
        Assert.All(updates, e => Assert.Equal((TrackEventKind.Updated, TrackUpdateReason.EvidenceGrew), (e.Kind, e.Reason)));
        // 15 embedded faces in 30 frames: the evidence doubles at 2, 4 and 8 (frames 2, 6 and 14); 16 never comes.
        Assert.Equal([2, 4, 8], updates.Select(e => e.Track.EvidenceFaces));
        Assert.Equal([At(2), At(6), At(14)], updates.Select(e => e.Time));
        Assert.All(updates, e => Assert.Equal(e.Track.EvidenceFaces * 2 - 1, e.Track.HitCount));

        Assert.Equal([TrackEventKind.Started], Events(evidenceUpdates: false).Select(e => e.Kind));
    }
}
