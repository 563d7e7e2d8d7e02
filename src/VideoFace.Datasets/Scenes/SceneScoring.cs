namespace VideoFace.Datasets.Scenes;

/// <summary>One face the tracker put on a track in an analysed frame: the truth frame it fell on and its box [x, y, w, h].</summary>
public sealed record TrackedFace(int Frame, string TrackId, float X, float Y, float Width, float Height);

/// <summary>What the system finally decided a track was: its identity and, for an enrolled person, their name.</summary>
public sealed record TrackVerdict(string IdentityId, string? EnrolledName);

/// <summary>What one evaluation run saw: the analysed frames, the faces on tracks, the announced tracks and their
/// verdicts, the faces embedded and (when counted) detected, and the run's wall time.</summary>
public sealed record SceneObservations(
    IReadOnlyList<int> AnalysedFrames,
    IReadOnlyList<TrackedFace> Faces,
    IReadOnlyCollection<string> Tracks,
    IReadOnlyDictionary<string, TrackVerdict> Verdicts,
    long FacesEmbedded,
    double WallSeconds,
    long FacesDetected = 0);

/// <summary>Identity accuracy of one run over a scene (see <see cref="SceneScoring"/> for the definitions).</summary>
public sealed record SceneScore
{
    public int FramesAnalysed { get; init; }
    public int Tracks { get; init; }
    /// <summary>Announced tracks none of whose faces overlaps a truth face (false detections).</summary>
    public int TracksWithoutTruth { get; init; }
    /// <summary>Tracks whose faces belong to two or more truth people (an identity switch inside one track).</summary>
    public int TracksSpanningPeople { get; init; }
    /// <summary>Tracks with even one face of a second truth person (includes the stray frames spanning ignores).</summary>
    public int TracksTouchingPeople { get; init; }
    /// <summary>Tracks that never reached an identity (no embedding, or the cluster never reported them).</summary>
    public int TracksWithoutIdentity { get; init; }

    public int EnrolledTracks { get; init; }
    public int EnrolledNamedCorrectly { get; init; }
    public int EnrolledNamedWrongly { get; init; }
    public int EnrolledLeftUnknown { get; init; }

    /// <summary>Enrolled people's faces on tracks (analysed frames) whose track finally carries their own name, as a fraction.</summary>
    public double EnrolledFacesNamedCorrectly { get; init; }

    public int StrangerTracks { get; init; }
    /// <summary>Strangers' faces on tracks that finally carry an enrolled person's name, as a fraction.</summary>
    public double StrangerFacesNamed { get; init; }
    /// <summary>Stranger tracks given an enrolled person's name (false accepts).</summary>
    public int StrangerNamedEnrolled { get; init; }
    public int StrangerLeftUnknown { get; init; }

    /// <summary>Mean number of unknown identities per stranger seen (1 is ideal).</summary>
    public double UnknownIdsPerStranger { get; init; }
    /// <summary>Mean number of truth people per unknown identity (1 is ideal).</summary>
    public double PeoplePerUnknownId { get; init; }
    /// <summary>Unknown identities holding tracks of two or more truth people.</summary>
    public int ImpureUnknownIds { get; init; }

    public int TruthPeople { get; init; }
    /// <summary>Truth people no announced track covers.</summary>
    public IReadOnlyList<string> PeopleMissed { get; init; } = [];
    public int TruthAppearances { get; init; }
    /// <summary>Appearances (with a face in an analysed frame) that some track covers.</summary>
    public int AppearancesCovered { get; init; }
    /// <summary>Mean tracks per covered appearance (1 is ideal; more means the tracker lost and restarted people).</summary>
    public double TracksPerAppearance { get; init; }
    /// <summary>Truth faces in analysed frames that lie on an announced track, as a fraction of all of them.</summary>
    public double FaceCoverage { get; init; }

    public long FacesEmbedded { get; init; }
    /// <summary>Faces the detector found in the analysed frames (0 when not counted).</summary>
    public long FacesDetected { get; init; }
    /// <summary>Embedded faces per detected face (1 when every face is embedded; 0 when not counted).</summary>
    public double EmbeddingsPerFace { get; init; }
    /// <summary>Embedded faces per second of video: the embedder load one camera showing this scene puts on a device,
    /// independent of how fast the machine ran.</summary>
    public double EmbeddingsPerVideoSecond { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>Embedded faces per second of wall time (depends on the machine and its load).</summary>
    public double EmbeddingsPerSecond { get; init; }

    public IReadOnlyList<StrangerScore> Strangers { get; init; } = [];
    public IReadOnlyList<TrackScore> TrackDetails { get; init; } = [];
}

/// <summary>A stranger's unknown identities.</summary>
public sealed record StrangerScore(string Identity, int Tracks, IReadOnlyList<string> UnknownIds, int NamedEnrolled);

/// <summary>One track: the truth people its faces overlapped (frames each), its main person and the system's verdict.</summary>
public sealed record TrackScore(string TrackId, string? Truth, bool? Enrolled, IReadOnlyDictionary<string, int> People, int Faces,
    string? IdentityId, string? Name, string Outcome);

/// <summary>
/// Scores a run against a scene's truth. Each face on a track is matched to the truth face of its frame it overlaps most
/// (IoU ≥ <see cref="MinIoU"/>); a track's person is the one most of its faces matched (on a tie, the one it started on),
/// and it spans people when a second
/// one holds at least max(2, 10 %) of them (a stray frame at a crossing does not count). The verdict is what the system
/// finally decided for the track (its identity at the end of the run), not what it said first.
/// </summary>
public static class SceneScoring
{
    public const float MinIoU = 0.3f;

    public static SceneScore Score(SceneTruth truth, SceneObservations run)
    {
        var tracks = run.Tracks.ToHashSet(StringComparer.Ordinal);
        var people = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var appearanceTracks = new Dictionary<int, HashSet<string>>();
        var facesPerTrack = new Dictionary<string, int>(StringComparer.Ordinal);
        var coveredTruthFaces = new HashSet<(int Frame, int Appearance)>();
        var firstSeen = new Dictionary<(string Track, string Identity), int>();
        var matched = new List<(string Track, string Identity, bool Enrolled)>();
        foreach (var face in run.Faces)
        {
            if (!tracks.Contains(face.TrackId) || face.Frame < 0 || face.Frame >= truth.Frames.Count) continue;
            facesPerTrack[face.TrackId] = facesPerTrack.GetValueOrDefault(face.TrackId) + 1;
            SceneFace? best = null;
            float bestIoU = MinIoU;
            foreach (var t in truth.Frames[face.Frame].Faces)
            {
                float iou = IoU(face, t.Box);
                if (iou >= bestIoU) (best, bestIoU) = (t, iou);
            }
            if (best is null) continue;
            var counts = people.TryGetValue(face.TrackId, out var c) ? c : people[face.TrackId] = new(StringComparer.Ordinal);
            counts[best.Identity] = counts.GetValueOrDefault(best.Identity) + 1;
            var key = (face.TrackId, best.Identity);
            firstSeen[key] = Math.Min(firstSeen.GetValueOrDefault(key, int.MaxValue), face.Frame);
            (appearanceTracks.TryGetValue(best.Appearance, out var set) ? set : appearanceTracks[best.Appearance] = new(StringComparer.Ordinal))
                .Add(face.TrackId);
            coveredTruthFaces.Add((face.Frame, best.Appearance));
            matched.Add((face.TrackId, best.Identity, best.Enrolled));
        }
        // face by face, under the name its track finally got: a track kept through a cut shows one name over two people
        string? NameOf(string track) => run.Verdicts.TryGetValue(track, out var v) ? v.EnrolledName : null;
        var enrolledFaces = matched.Where(m => m.Enrolled).ToList();
        var strangerFaces = matched.Where(m => !m.Enrolled).ToList();
        var enrolledNames = truth.Frames.SelectMany(f => f.Faces).Where(f => f.Enrolled).Select(f => f.Identity).ToHashSet(StringComparer.Ordinal);
        var details = new List<TrackScore>();
        foreach (var id in tracks.Order(StringComparer.Ordinal))
        {
            var counts = people.GetValueOrDefault(id) ?? new Dictionary<string, int>(StringComparer.Ordinal);
            // a tie goes to the person the track started on
            var main = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => firstSeen[(id, kv.Key)]).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => kv.Key).FirstOrDefault();
            run.Verdicts.TryGetValue(id, out var verdict);
            bool? enrolled = main is null ? null : enrolledNames.Contains(main);
            string outcome = (main, verdict, enrolled) switch
            {
                (null, _, _) => "no_truth",
                (_, null, _) => "no_identity",
                (_, { EnrolledName: { } n }, true) => n == main ? "named_correctly" : "named_wrongly",
                (_, { EnrolledName: null }, true) => "left_unknown",
                (_, { EnrolledName: not null }, false) => "stranger_named",
                _ => "stranger_unknown",
            };
            details.Add(new TrackScore(id, main, enrolled, counts, facesPerTrack.GetValueOrDefault(id), verdict?.IdentityId, verdict?.EnrolledName, outcome));
        }
        int Count(string outcome) => details.Count(d => d.Outcome == outcome);
        bool Spans(TrackScore d)
        {
            int total = d.People.Values.Sum();
            return d.People.Values.Count(v => v >= Math.Max(2, 0.1 * total)) >= 2;
        }

        // unknown identities: per stranger how many, per unknown identity how many people (by each track's main person)
        var withTruth = details.Where(d => d.Truth is not null).ToList();
        var strangers = withTruth.Where(d => d.Enrolled == false).GroupBy(d => d.Truth!, StringComparer.Ordinal)
            .Select(g => new StrangerScore(g.Key, g.Count(),
                g.Where(d => d is { IdentityId: not null, Name: null }).Select(d => d.IdentityId!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                g.Count(d => d.Outcome == "stranger_named")))
            .OrderBy(s => s.Identity, StringComparer.Ordinal).ToList();
        var unknownIds = withTruth.Where(d => d is { IdentityId: not null, Name: null }).GroupBy(d => d.IdentityId!, StringComparer.Ordinal)
            .Select(g => g.Select(d => d.Truth!).Distinct(StringComparer.Ordinal).Count()).ToList();

        // truth faces that fall on analysed frames: the coverage denominators
        var analysed = run.AnalysedFrames.Where(f => f >= 0 && f < truth.Frames.Count).Distinct().ToList();
        var visibleFaces = analysed.SelectMany(f => truth.Frames[f].Faces.Select(x => (Frame: f, x.Appearance, x.Identity))).ToList();
        var visibleAppearances = visibleFaces.Select(v => v.Appearance).ToHashSet();
        var truthPeople = truth.Frames.SelectMany(f => f.Faces).Select(f => f.Identity).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var covered = withTruth.SelectMany(d => d.People.Keys).ToHashSet(StringComparer.Ordinal);
        var coveredAppearances = appearanceTracks.Keys.Where(visibleAppearances.Contains).ToList();
        return new SceneScore
        {
            FramesAnalysed = analysed.Count,
            Tracks = details.Count,
            TracksWithoutTruth = Count("no_truth"),
            TracksSpanningPeople = details.Count(Spans),
            TracksTouchingPeople = details.Count(d => d.People.Count >= 2),
            TracksWithoutIdentity = details.Count(d => d.IdentityId is null),
            EnrolledTracks = withTruth.Count(d => d.Enrolled == true),
            EnrolledNamedCorrectly = Count("named_correctly"),
            EnrolledNamedWrongly = Count("named_wrongly"),
            EnrolledLeftUnknown = Count("left_unknown"),
            EnrolledFacesNamedCorrectly = enrolledFaces.Count == 0 ? 0 : enrolledFaces.Count(m => NameOf(m.Track) == m.Identity) / (double)enrolledFaces.Count,
            StrangerTracks = withTruth.Count(d => d.Enrolled == false),
            StrangerFacesNamed = strangerFaces.Count == 0 ? 0 : strangerFaces.Count(m => NameOf(m.Track) is not null) / (double)strangerFaces.Count,
            StrangerNamedEnrolled = Count("stranger_named"),
            StrangerLeftUnknown = Count("stranger_unknown"),
            UnknownIdsPerStranger = strangers.Count == 0 ? 0 : strangers.Average(s => (double)s.UnknownIds.Count),
            PeoplePerUnknownId = unknownIds.Count == 0 ? 0 : unknownIds.Average(),
            ImpureUnknownIds = unknownIds.Count(n => n > 1),
            TruthPeople = truthPeople.Count,
            PeopleMissed = truthPeople.Where(p => !covered.Contains(p)).ToList(),
            TruthAppearances = truth.Appearances.Count,
            AppearancesCovered = coveredAppearances.Count,
            TracksPerAppearance = coveredAppearances.Count == 0 ? 0 : coveredAppearances.Average(a => (double)appearanceTracks[a].Count),
            FaceCoverage = visibleFaces.Count == 0 ? 0 : visibleFaces.Count(v => coveredTruthFaces.Contains((v.Frame, v.Appearance))) / (double)visibleFaces.Count,
            FacesEmbedded = run.FacesEmbedded,
            FacesDetected = run.FacesDetected,
            EmbeddingsPerFace = run.FacesDetected > 0 ? (double)run.FacesEmbedded / run.FacesDetected : 0,
            EmbeddingsPerVideoSecond = truth.FrameCount > 0 && truth.Fps > 0 ? run.FacesEmbedded / (truth.FrameCount / truth.Fps) : 0,
            WallSeconds = run.WallSeconds,
            EmbeddingsPerSecond = run.WallSeconds > 0 ? run.FacesEmbedded / run.WallSeconds : 0,
            Strangers = strangers,
            TrackDetails = details,
        };
    }

    private static float IoU(TrackedFace a, float[] b)
    {
        float x1 = Math.Max(a.X, b[0]), y1 = Math.Max(a.Y, b[1]);
        float x2 = Math.Min(a.X + a.Width, b[0] + b[2]), y2 = Math.Min(a.Y + a.Height, b[1] + b[3]);
        float inter = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        float union = a.Width * a.Height + b[2] * b[3] - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
