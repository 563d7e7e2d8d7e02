using Microsoft.Extensions.Time.Testing;
using VideoFace.Vision.Embedding;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Tracking.Tests;

public class FaceTrackerTests
{
    [Fact]
    public void OneMovingFace_EveryFrame_OneTrackConfirmedThenEndedAfterMaxAge()
    {
        // Evidence updates off: this test counts the lifecycle events exactly (evidence has its own test).
        var tracker = Tracker(Options(o => { o.MaxAge = TimeSpan.FromSeconds(3); o.EvidenceUpdates = false; }));
        var person = Person(1);
        var rng = new Random(1);
        var ids = new HashSet<string>();
        var events = new List<TrackEvent>();

        for (int i = 0; i < 6; i++)
        {
            var update = tracker.Update(Frame(At(i), Face(Box(200 + 15 * i, 300, 80), Sighting(person, rng))));
            events.AddRange(update.Events);
            ids.Add(update.Assignments.Single().TrackId!);
            Assert.Equal(i == 0 ? TrackState.Tentative : TrackState.Confirmed, update.Assignments[0].State);
        }
        var started = Assert.Single(events);
        Assert.Equal(TrackEventKind.Started, started.Kind);
        Assert.Equal(At(1), started.Time); // confirmed on its 2nd hit (default ConfirmHits)
        Assert.Single(ids);

        // Gone: lost while within MaxAge (3 s after the last sighting at frame 5), ended on the first frame past it.
        for (int i = 6; i <= 11; i++)
        {
            var update = tracker.Update(Frame(At(i)));
            Assert.Empty(update.Events);
            Assert.Equal(TrackState.Lost, Assert.Single(tracker.Tracks).State);
        }
        var end = Assert.Single(tracker.Update(Frame(At(12))).Events);
        Assert.Equal(TrackEventKind.Ended, end.Kind);
        Assert.Equal(TrackState.Ended, end.Track.State);
        Assert.Equal(TrackEndReason.Expired, end.Track.EndReason);
        Assert.Equal(At(0), end.Track.StartTime);
        Assert.Equal(At(5), end.Track.EndTime);
        Assert.Equal(6, end.Track.HitCount);
        Assert.Equal(ids.Single(), end.Track.Id);
        Assert.Empty(tracker.Tracks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Confirmation_AfterConfirmHits_StartedEventOnThatHit(int confirmHits)
    {
        var tracker = Tracker(Options(o => o.ConfirmHits = confirmHits));
        for (int i = 0; i < 6; i++)
        {
            var update = tracker.Update(Frame(At(i), Face(Box(300, 300, 80))));
            bool confirmedNow = i + 1 == confirmHits;
            Assert.Equal(confirmedNow, update.Events.Any(e => e.Kind == TrackEventKind.Started));
            Assert.Equal(i + 1 >= confirmHits ? TrackState.Confirmed : TrackState.Tentative, update.Assignments[0].State);
        }
    }

    [Fact]
    public void TentativeTrack_MissedTooOften_DroppedWithoutEvents()
    {
        var tracker = Tracker(Options(o => { o.ConfirmHits = 3; o.TentativeMaxMisses = 1; }));
        tracker.Update(Frame(At(0), Face(Box(300, 300, 80))));
        Assert.Empty(tracker.Update(Frame(At(1))).Events);
        Assert.Single(tracker.Tracks);
        Assert.Empty(tracker.Update(Frame(At(2))).Events);
        Assert.Empty(tracker.Tracks);
        Assert.Empty(tracker.EndAll(At(3)));
    }

    [Fact]
    public void TwoFacesCrossingPaths_WithEmbeddings_KeepTheirIdentities()
    {
        var tracker = Tracker();
        var (alice, bob) = (Person(1), Person(2));
        var rng = new Random(2);
        string? aliceId = null, bobId = null;
        // 80 px faces, 40 px per frame toward each other on nearly the same line: they overlap fully mid-way.
        for (int i = 0; i <= 10; i++)
        {
            var a = Face(Box(300 + 40 * i, 300, 80), Sighting(alice, rng));
            var b = Face(Box(700 - 40 * i, 305, 80), Sighting(bob, rng));
            var update = tracker.Update(Frame(At(i), a, b));
            aliceId ??= update.Assignments[0].TrackId;
            bobId ??= update.Assignments[1].TrackId;
            Assert.Equal(aliceId, update.Assignments[0].TrackId);
            Assert.Equal(bobId, update.Assignments[1].TrackId);
        }
        Assert.NotEqual(aliceId, bobId);
        Assert.Equal(2, tracker.Tracks.Count);
    }

    [Fact]
    public void TwoFacesMeetingAndTurningBack_WithEmbeddings_KeepTheirIdentitiesAgainstTheMotion()
    {
        // Both turn back at frame 4, where each track's constant-velocity prediction lands on the other face:
        // motion says swap, only embeddings can tell.
        (float Ax, float Bx)[] frames = [(400, 600), (440, 560), (480, 520), (520, 480), (480, 520), (440, 560), (400, 600), (360, 640)];

        string[] Run(bool withEmbeddings)
        {
            var tracker = Tracker();
            var (alice, bob) = (Person(1), Person(2));
            var rng = new Random(3);
            var first = Array.Empty<string>();
            var switched = new List<string>();
            for (int i = 0; i < frames.Length; i++)
            {
                var a = Face(Box(frames[i].Ax, 300, 80), withEmbeddings ? Sighting(alice, rng) : null);
                var b = Face(Box(frames[i].Bx, 306, 80), withEmbeddings ? Sighting(bob, rng) : null);
                var ids = tracker.Update(Frame(At(i), a, b)).Assignments.Select(x => x.TrackId!).ToArray();
                if (i == 0) first = ids;
                else if (!ids.SequenceEqual(first)) switched.Add($"frame {i}: {string.Join(",", ids)}");
            }
            return [.. switched];
        }

        Assert.Empty(Run(withEmbeddings: true));
        Assert.NotEmpty(Run(withEmbeddings: false)); // the control: by motion alone the identities swap
    }

    [Fact]
    public void FaceLeavingAndReturning_WithinGracePeriod_ReattachesToItsTrack()
    {
        var tracker = Tracker(Options(o => o.MaxAge = TimeSpan.FromSeconds(5)));
        var alice = Person(1);
        var rng = new Random(4);
        string? id = null;
        for (int i = 0; i < 4; i++)
            id = tracker.Update(Frame(At(i), Face(Box(200, 300, 80), Sighting(alice, rng)))).Assignments[0].TrackId;
        for (int i = 4; i < 10; i++) Assert.Empty(tracker.Update(Frame(At(i))).Events); // 3 s away

        // Back at the other side of the frame, far from any prediction: re-identified by embedding.
        var back = tracker.Update(Frame(At(10), Face(Box(1000, 400, 70), Sighting(alice, rng))));
        Assert.Equal(id, back.Assignments[0].TrackId);
        Assert.Equal(TrackState.Confirmed, back.Assignments[0].State);
        Assert.DoesNotContain(back.Events, e => e.Kind is TrackEventKind.Ended or TrackEventKind.Started);
        var track = Assert.Single(tracker.Tracks);
        Assert.Equal(5, track.HitCount);
        Assert.Equal(At(0), track.StartTime);
        Assert.Equal(At(10), track.LastSeen);
    }

    [Fact]
    public void FaceLeavingAndReturning_AfterGracePeriod_GetsANewTrack()
    {
        var tracker = Tracker(Options(o => o.MaxAge = TimeSpan.FromSeconds(5)));
        var alice = Person(1);
        var rng = new Random(5);
        string? id = null;
        for (int i = 0; i < 4; i++)
            id = tracker.Update(Frame(At(i), Face(Box(200, 300, 80), Sighting(alice, rng)))).Assignments[0].TrackId;

        // 8 s later, same place, same person: the old track has ended and a new one starts.
        var back = tracker.Update(Frame(At(19), Face(Box(200, 300, 80), Sighting(alice, rng))));
        var ended = Assert.Single(back.Events);
        Assert.Equal(TrackEventKind.Ended, ended.Kind);
        Assert.Equal(id, ended.Track.Id);
        Assert.Equal(At(3), ended.Track.EndTime);
        Assert.NotEqual(id, back.Assignments[0].TrackId);
        Assert.Equal(TrackState.Tentative, back.Assignments[0].State);
    }

    [Fact]
    public void AnotherPersonAppearing_WhileATrackIsLost_DoesNotTakeItOver()
    {
        var tracker = Tracker();
        var rng = new Random(6);
        string? aliceId = null;
        for (int i = 0; i < 3; i++)
            aliceId = tracker.Update(Frame(At(i), Face(Box(200, 300, 80), Sighting(Person(1), rng)))).Assignments[0].TrackId;
        tracker.Update(Frame(At(3)));
        var bob = tracker.Update(Frame(At(4), Face(Box(200, 300, 80), Sighting(Person(2), rng))));
        Assert.NotEqual(aliceId, bob.Assignments[0].TrackId);
        Assert.Equal(TrackState.Lost, tracker.Tracks.Single(t => t.Id == aliceId).State);
    }

    [Fact]
    public void BestFace_GrowingThenTurning_IsTheLargestFrontalFaceWithItsFrame()
    {
        var tracker = Tracker();
        var alice = Person(1);
        var rng = new Random(7);
        // Sizes below FullQualityFaceSize (112), so size counts; then a same-size face turned away.
        (float Size, float Yaw)[] faces = [(40, 0), (60, 0), (90, 0), (90, 0.2f), (70, 0)];
        var newBest = new List<bool>();
        for (int i = 0; i < faces.Length; i++)
        {
            var box = Box(400, 300, faces[i].Size);
            newBest.Add(tracker.Update(Frame(At(i), Face(box, Sighting(alice, rng), yawShift: faces[i].Yaw))).Assignments[0].IsNewBestFace);
        }
        Assert.Equal([true, true, true, false, false], newBest);
        var best = Assert.Single(tracker.Tracks).BestFace;
        Assert.Equal(At(2), best.FrameTime);
        Assert.Equal(Box(400, 300, 90), best.Box);
        Assert.Equal((FrameWidth, FrameHeight), (best.FrameWidth, best.FrameHeight));
        Assert.NotNull(best.Embedding);
    }

    [Fact]
    public void BestFace_LargerButBlurred_TheSharpFaceStaysTheBest()
    {
        var tracker = Tracker();
        var alice = Person(1);
        var rng = new Random(11);
        float full = new TrackerOptions().FullQualitySharpness;
        // a sharp 90 px face, then the same person closer but blurred by motion (a third of the full sharpness)
        tracker.Update(Frame(At(0), Face(Box(400, 300, 90), Sighting(alice, rng)) with { Sharpness = full * 2 }));
        var blurred = tracker.Update(Frame(At(1), Face(Box(400, 300, 110), Sighting(alice, rng)) with { Sharpness = full / 3 }));
        Assert.False(blurred.Assignments[0].IsNewBestFace);
        Assert.Equal(At(0), Assert.Single(tracker.Tracks).BestFace.FrameTime);
        // the same closer face when sharp does become the best
        var sharp = tracker.Update(Frame(At(2), Face(Box(400, 300, 110), Sighting(alice, rng)) with { Sharpness = full }));
        Assert.True(sharp.Assignments[0].IsNewBestFace);
        Assert.Equal(At(2), Assert.Single(tracker.Tracks).BestFace.FrameTime);
    }

    [Fact]
    public void BestFace_SameSizeFrontalAfterProfile_FrontalWins()
    {
        var tracker = Tracker();
        tracker.Update(Frame(At(0), Face(Box(400, 300, 100), yawShift: 0.25f)));
        var update = tracker.Update(Frame(At(1), Face(Box(400, 300, 100))));
        Assert.True(update.Assignments[0].IsNewBestFace);
        Assert.Equal(At(1), Assert.Single(tracker.Tracks).BestFace.FrameTime);
    }

    [Fact]
    public void TrackEmbedding_SeveralFaces_IsTheNormalisedMeanOfTheTopKQualityFaces()
    {
        var tracker = Tracker(Options(o => o.TopK = 3));
        var alice = Person(1);
        var rng = new Random(8);
        float[] scores = [0.6f, 0.95f, 0.7f, 0.9f, 0.5f, 0.85f];
        var sightings = scores.Select(_ => Sighting(alice, rng, noise: 0.1f)).ToArray();
        for (int i = 0; i < scores.Length; i++)
            tracker.Update(Frame(At(i), Face(Box(400, 300, 80), sightings[i], score: scores[i])));

        // Same box and pose, so quality orders as the detector score: faces 1, 3 and 5.
        var expected = Embeddings.MeanNormalized([sightings[1], sightings[3], sightings[5]]);
        var track = Assert.Single(tracker.Tracks);
        Assert.Equal(3, track.EmbeddedFaces);
        Assert.Equal(expected.Length, track.Embedding!.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], track.Embedding[i], 1e-5f);
        Assert.Equal(1f, Embeddings.Norm(track.Embedding), 1e-5f);
    }

    [Fact]
    public void LowFpsLargeJumps_ConstantVelocity_StillAssociateByPrediction()
    {
        var options = new TrackerOptions();
        var tracker = Tracker(options);
        var alice = Person(1);
        var rng = new Random(9);
        // 2 box widths per frame at 2 fps: consecutive boxes do not overlap, and are farther apart than
        // MaxMotionDistance allows for a match by position alone.
        var boxes = Enumerable.Range(0, 7).Select(i => Box(150 + 160 * i, 100 + 8 * i, 80)).ToArray();
        Assert.Equal(0f, boxes[0].IoU(boxes[1]));
        Assert.True((boxes[1].Center.X - boxes[0].Center.X) / 80 > options.MaxMotionDistance);

        var ids = new HashSet<string>();
        for (int i = 0; i < boxes.Length; i++)
        {
            // Embeddings only on the first two frames (they give the first velocity); after that only the
            // constant-velocity prediction can bring the box within MinIoU.
            var embedding = i < 2 ? Sighting(alice, rng) : null;
            ids.Add(tracker.Update(Frame(At(i), Face(boxes[i], embedding))).Assignments[0].TrackId!);
        }
        Assert.Single(ids);
        Assert.Equal(boxes.Length, Assert.Single(tracker.Tracks).HitCount);
    }

    [Fact]
    public void LowFpsLargeJumps_WithoutPrediction_WouldBreakTheTrack()
    {
        // The control for the test above: with prediction turned off the same faces split into several tracks.
        var tracker = Tracker(Options(o => o.MaxPredictionTime = TimeSpan.Zero));
        var alice = Person(1);
        var rng = new Random(9);
        var ids = new HashSet<string>();
        for (int i = 0; i < 7; i++)
            ids.Add(tracker.Update(Frame(At(i), Face(Box(150 + 160 * i, 100 + 8 * i, 80), i < 2 ? Sighting(alice, rng) : null))).Assignments[0].TrackId!);
        Assert.True(ids.Count > 1);
    }

    [Fact]
    public void ObservationsWithoutEmbeddings_OverlappingBoxes_TrackByIoU()
    {
        var tracker = Tracker();
        var ids = new HashSet<string>();
        for (int i = 0; i < 8; i++)
            ids.Add(tracker.Update(Frame(At(i), Face(Box(300 + 20 * i, 300, 80)))).Assignments[0].TrackId!);
        var track = Assert.Single(tracker.Tracks);
        Assert.Single(ids);
        Assert.Equal(TrackState.Confirmed, track.State);
        Assert.Null(track.Embedding);
        Assert.Equal(0, track.EmbeddedFaces);
    }

    [Fact]
    public void MixedObservations_SomeWithoutEmbeddings_OneTrackWhoseEmbeddingUsesOnlyTheEmbeddedFaces()
    {
        var tracker = Tracker();
        var alice = Person(1);
        var rng = new Random(10);
        var sightings = new List<float[]>();
        for (int i = 0; i < 6; i++)
        {
            float[]? e = i % 2 == 0 ? Sighting(alice, rng) : null;
            if (e is not null) sightings.Add(e);
            tracker.Update(Frame(At(i), Face(Box(300 + 10 * i, 300, 80), e)));
        }
        var track = Assert.Single(tracker.Tracks);
        Assert.Equal(6, track.HitCount);
        Assert.Equal(3, track.EmbeddedFaces);
        var expected = Embeddings.MeanNormalized(sightings);
        Assert.True(Embeddings.Cosine(expected, track.Embedding!) > 0.9999f);
    }

    [Fact]
    public void Events_SteadyFaceForTwentySeconds_NotEmittedPerFrame()
    {
        // Evidence updates off: this test is about the heartbeat (evidence doubling adds log2(40) events, tested apart).
        var tracker = Tracker(Options(o => { o.UpdateInterval = TimeSpan.FromSeconds(10); o.EvidenceUpdates = false; }));
        var alice = Person(1);
        var rng = new Random(11);
        var events = new List<TrackEvent>();
        for (int i = 0; i < 40; i++)
            events.AddRange(tracker.Update(Frame(At(i), Face(Box(400, 300, 80), Sighting(alice, rng)))).Events);

        // Started at 0.5 s, one heartbeat at 10.5 s, nothing else in 40 frames.
        Assert.Equal([TrackEventKind.Started, TrackEventKind.Updated], events.Select(e => e.Kind));
        Assert.Equal(TrackUpdateReason.Interval, events[1].Reason);
        Assert.Equal(At(21), events[1].Time);
    }

    [Fact]
    public void Events_FaceApproachingSlowly_UpdatedOnlyOnSignificantBestFaceGains()
    {
        var options = Options(o => { o.UpdateInterval = TimeSpan.Zero; o.BestFaceMinGain = 0.05f; });
        var tracker = Tracker(options);
        var events = new List<TrackEvent>();
        int newBestFrames = 0;
        for (int i = 0; i < 40; i++)
        {
            // One pixel bigger each frame: the best face improves every frame by less than the gain.
            var update = tracker.Update(Frame(At(i), Face(Box(400, 300, 40 + i))));
            events.AddRange(update.Events);
            if (update.Assignments[0].IsNewBestFace) newBestFrames++;
        }
        Assert.Equal(40, newBestFrames);
        var updates = events.Where(e => e.Kind == TrackEventKind.Updated).ToList();
        Assert.All(updates, e => Assert.Equal(TrackUpdateReason.BestFaceImproved, e.Reason));
        Assert.InRange(updates.Count, 2, 10);
        var qualities = events.Select(e => e.Track.BestFace.Quality).ToList();
        for (int i = 1; i < qualities.Count; i++) Assert.True(qualities[i] - qualities[i - 1] >= options.BestFaceMinGain - 1e-6f);
    }

    [Fact]
    public void EndAll_CameraStop_EndsConfirmedAndLostTracksAndDropsTentativeOnes()
    {
        var tracker = Tracker();
        tracker.Update(Frame(At(0), Face(Box(200, 300, 80)), Face(Box(600, 300, 80))));
        tracker.Update(Frame(At(1), Face(Box(200, 300, 80))));            // the second face is now missed once
        tracker.Update(Frame(At(2), Face(Box(200, 300, 80)), Face(Box(1000, 300, 80)))); // a newcomer, tentative
        var ended = tracker.EndAll(At(3));
        var e = Assert.Single(ended);
        Assert.Equal(TrackEventKind.Ended, e.Kind);
        Assert.Equal(TrackEndReason.Flushed, e.Track.EndReason);
        Assert.Equal(At(2), e.Track.EndTime);
        Assert.Equal(3, e.Track.HitCount);
        Assert.Empty(tracker.Tracks);
    }

    [Fact]
    public void Expire_NoFramesFromAStalledCamera_EndsTracksPastMaxAgeByTheClock()
    {
        var clock = new FakeTimeProvider(At(0));
        var tracker = new FaceTracker("cam1", new TrackerOptions { MaxAge = TimeSpan.FromSeconds(5) }, clock);
        tracker.Update(Frame(At(0), Face(Box(200, 300, 80))));
        tracker.Update(Frame(At(1), Face(Box(200, 300, 80))));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(tracker.Expire());
        clock.Advance(TimeSpan.FromSeconds(1));
        var e = Assert.Single(tracker.Expire());
        Assert.Equal(TrackEndReason.Expired, e.Track.EndReason);
        Assert.Equal(At(1), e.Track.EndTime);
    }

    [Fact]
    public void TrackIds_TrackerRestartedForTheSameCamera_NeverRepeat()
    {
        var clock = new FakeTimeProvider(At(0));
        var first = new FaceTracker("cam7", new TrackerOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds(30));
        var second = new FaceTracker("cam7", new TrackerOptions(), clock);
        string a = first.Update(Frame(At(0), Face(Box(200, 300, 80)))).Assignments[0].TrackId!;
        string b = second.Update(Frame(At(0), Face(Box(200, 300, 80)))).Assignments[0].TrackId!;
        Assert.NotEqual(a, b);
        Assert.StartsWith($"cam7-{first.Session}-", a);
        Assert.StartsWith($"cam7-{second.Session}-", b);
        Assert.NotEqual(first.Session, second.Session);
    }

    [Fact]
    public void Update_BrokenBox_SkipsThatFaceOnly()
    {
        var tracker = Tracker();
        var update = tracker.Update(Frame(At(0), Face(Box(200, 300, 80)), new FaceObservation(new(float.NaN, 0, 10, 10), 0.9f)));
        Assert.NotNull(update.Assignments[0].TrackId);
        Assert.Null(update.Assignments[1].TrackId);
        Assert.Single(tracker.Tracks);
    }

    [Fact]
    public void Update_EmbeddingLengthChanges_Throws()
    {
        var tracker = Tracker();
        tracker.Update(Frame(At(0), Face(Box(200, 300, 80), Person(1, 64))));
        Assert.Throws<ArgumentException>(() => tracker.Update(Frame(At(1), Face(Box(200, 300, 80), Person(1, 128)))));
    }

    [Fact]
    public void Update_MinBirthScore_WeakFaceStartsNoTrackButExtendsOne()
    {
        var tracker = Tracker(Options(o => o.MinBirthScore = 0.5f));
        Assert.Null(tracker.Update(Frame(At(0), Face(Box(200, 300, 80), score: 0.3f))).Assignments[0].TrackId);
        var id = tracker.Update(Frame(At(1), Face(Box(200, 300, 80), score: 0.8f))).Assignments[0].TrackId;
        Assert.Equal(id, tracker.Update(Frame(At(2), Face(Box(205, 300, 80), score: 0.3f))).Assignments[0].TrackId);
    }
}

public class FaceTrackerCrowdTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void FivePeopleWandering_MissedDetectionsAndSkippedEmbeddings_EachPersonKeepsOneTrack(int seed)
    {
        var rng = new Random(seed);
        var tracker = Synth.Tracker();
        const int people = 5;
        var identity = Enumerable.Range(0, people).Select(p => Synth.Person(100 * seed + p)).ToArray();
        var pos = Enumerable.Range(0, people).Select(p => (X: 150f + 230 * p, Y: 200f + 60 * p)).ToArray();
        var vel = Enumerable.Range(0, people).Select(_ => (X: (float)(rng.NextDouble() * 80 - 40), Y: (float)(rng.NextDouble() * 40 - 20))).ToArray();
        var size = Enumerable.Range(0, people).Select(_ => 60f + rng.Next(40)).ToArray();
        var trackOf = new Dictionary<int, HashSet<string>>();
        var confirmed = new HashSet<string>();

        for (int f = 0; f < 60; f++)
        {
            var faces = new List<Synth.Observed>();
            for (int p = 0; p < people; p++)
            {
                pos[p] = (pos[p].X + vel[p].X, pos[p].Y + vel[p].Y);
                if (pos[p].X < 100 || pos[p].X > Synth.FrameWidth - 100) vel[p].X = -vel[p].X; // bounce off the walls
                if (pos[p].Y < 100 || pos[p].Y > Synth.FrameHeight - 100) vel[p].Y = -vel[p].Y;
                if (rng.NextDouble() < 0.1) continue; // the detector missed this face
                var embedding = rng.NextDouble() < 0.3 ? null : Synth.Sighting(identity[p], rng, noise: 0.1f); // embedding skipped
                faces.Add(new(p, Synth.Face(Synth.Box(pos[p].X, pos[p].Y, size[p]), embedding)));
            }
            var update = tracker.Update(Synth.Frame(Synth.At(f), [.. faces.Select(x => x.Face)]));
            confirmed.UnionWith(update.Events.Where(e => e.Kind == TrackEventKind.Started).Select(e => e.Track.Id));
            for (int i = 0; i < faces.Count; i++)
            {
                if (!trackOf.TryGetValue(faces[i].Person, out var set)) trackOf[faces[i].Person] = set = [];
                set.Add(update.Assignments[i].TrackId!);
            }
        }

        // A face that missed its track (a turn while undetected, no embedding) may briefly sit in a tentative track;
        // what must hold is one confirmed track per person, never shared.
        var confirmedOf = trackOf.ToDictionary(kv => kv.Key, kv => kv.Value.Where(confirmed.Contains).ToList());
        Assert.All(confirmedOf, kv => Assert.True(kv.Value.Count == 1, $"person {kv.Key} had confirmed tracks {string.Join(", ", kv.Value)}"));
        Assert.Equal(people, confirmedOf.Values.Select(s => s.Single()).Distinct().Count());
        Assert.Equal(people, confirmed.Count);
    }
}
