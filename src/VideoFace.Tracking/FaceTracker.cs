using System.Globalization;
using System.Security.Cryptography;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;

namespace VideoFace.Tracking;

/// <summary>Per-camera multi-face tracker: IoU against a constant-velocity prediction plus embedding cosine, greedy
/// association, re-identification of lost tracks by embedding, and a Tentative → Confirmed → Lost → Ended lifecycle.</summary>
/// <remarks>
/// <para>Association is greedy by best score rather than Hungarian. After gating, a camera frame holds a handful of
/// faces and the candidate pairs are few and well separated; taking the most confident pair first never gives up a
/// strong identity match to raise the sum of two doubtful ones (which the Hungarian optimum may do), it is
/// deterministic with a simple tie-break, and costs O(P log P) for P admissible pairs.</para>
/// <para>Three stages, in the spirit of DeepSORT's matching cascade: confirmed tracks first, then lost ones on the faces
/// left over (where a strong embedding match re-attaches a track anywhere in the frame), then tentative ones. Lost
/// before tentative because a face that missed its track for a frame (no embedding, an abrupt turn) is otherwise
/// re-born as a tentative track that keeps stealing it from the real, lost one.</para>
/// <para>Appearance first (the DeepSORT / BoT-SORT gate): a track and a face whose embeddings both exist and have
/// cosine below RejectSimilarity never match, however well the boxes overlap, so the next person at a door or a
/// counter, or after a hard cut, starts a new track. With both embeddings the pair is admissible when IoU with the
/// predicted box ≥ MinIoU; or the centres are within MaxMotionDistance box sizes and the sizes within 1.5× (a turn
/// between low-fps frames); or cosine ≥ MinSimilarity within MaxCenterDistance box sizes; or, for a lost track only,
/// cosine ≥ ReidMinSimilarity anywhere. A lost track also needs cosine ≥ SplitSimilarity with its top-K mean (not
/// its latest face: after a gap there is no pose to follow): whoever steps into the spot someone left must clearly
/// be them. When either side has no embedding, position alone decides and only conservatively: IoU ≥
/// MotionOnlyMinIoU with the predicted box, or a step beside it (as above) from a track matched in the previous
/// frame; a lost track is never found again away from its box, and never re-identified, without embeddings.</para>
/// <para>Split: a face that passes the gate but falls below SplitSimilarity (a look-alike, or the same spot after a
/// cut) is doubtful: it keeps the track alive but stays out of its embedding, hit count and best face, and it is
/// matched only after every pair whose appearance agrees (so a look-alike in a track's box cannot take the track
/// from its own person). A face that agrees again clears the doubt; SplitAfter doubtful faces in a row end the track
/// (reason Split) as it was before them and start a new track from them, so one track never carries two people and
/// its embedding is never a blend of two. The first doubtful face's assignment names the old track (it may still be
/// that person); the Split end and the new track's start time set the record straight.</para>
/// <para>Score of an admissible pair = IoUWeight × A + (1 − IoUWeight) × max(S, 0), where A is the IoU with the
/// predicted box (or, when they overlap less than MinIoU but the centres are within MaxMotionDistance box sizes,
/// MinIoU × (1 − distance / (MaxMotionDistance × size)), so a real overlap always ranks higher) and S the embedding
/// cosine, or MinSimilarity when either side has no embedding: unknown evidence counts as borderline, so a pair
/// whose embeddings agree outranks one that cannot tell, and one whose embeddings nearly disagree ranks lower.</para>
/// <para>Time comes from the frames: prediction, loss and expiry use frame times, so a camera replayed faster or
/// slower than real time tracks the same. The clock is only read for the track-id session and the no-argument
/// <see cref="Expire()"/> and <see cref="EndAll()"/>.</para>
/// </remarks>
public sealed class FaceTracker : IFaceTracker
{
    /// <summary>Largest size ratio (either way) between a track's box and a face matched by motion alone.</summary>
    private const float MaxScaleChange = 1.5f;

    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    private readonly string _idPrefix;
    private readonly List<Track> _tracks = [];
    private long _sequence;
    private int _embeddingDimension;

    /// <summary>A tracker for one camera; throws when the options are invalid.</summary>
    /// <param name="session">Track-id session; null makes one from the clock and a random number, so ids stay unique
    /// across restarts of the same camera.</param>
    public FaceTracker(string cameraId, TrackerOptions options, TimeProvider? timeProvider = null, string? session = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cameraId);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid tracker options: " + string.Join("; ", errors), nameof(options));
        CameraId = cameraId;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        Session = session ?? NewSession(_time);
        _idPrefix = $"{cameraId}-{Session}-";
    }

    /// <inheritdoc />
    public string CameraId { get; }

    /// <summary>The id session of this tracker instance: every track id is "{CameraId}-{Session}-{sequence}".</summary>
    public string Session { get; }

    /// <inheritdoc />
    public IReadOnlyList<TrackSnapshot> Tracks => _tracks.ConvertAll(t => t.Snapshot());

    /// <inheritdoc />
    public TrackerUpdate Update(FrameFaces frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(frame.Faces);
        if (frame.Width <= 0 || frame.Height <= 0)
            throw new ArgumentException($"frame size must be positive (was {frame.Width}x{frame.Height})", nameof(frame));

        var now = frame.Time;
        var faces = Prepare(frame);
        var ended = new List<TrackEvent>();
        var started = new List<TrackEvent>();
        var updated = new List<TrackEvent>();
        var assignments = new TrackAssignment?[faces.Length];

        // Expire first, so a track past its grace period cannot be re-attached by this frame.
        ExpireInto(now, ended);

        var matchedTracks = new HashSet<Track>();
        var taken = new bool[faces.Length];
        for (int i = 0; i < faces.Length; i++)
            if (faces[i] is null) { taken[i] = true; assignments[i] = new TrackAssignment(null, null, 0, false); }

        // Each stage sees only the faces the earlier ones left.
        var matches = Associate(InState(TrackState.Confirmed), faces, taken, now, reidentify: false);
        matches.AddRange(Associate(InState(TrackState.Lost), faces, taken, now, reidentify: true));
        matches.AddRange(Associate(InState(TrackState.Tentative), faces, taken, now, reidentify: false));
        foreach (var (track, index, positional, doubtful) in matches)
        {
            var face = faces[index]!.Value;
            if (doubtful)
            {
                if (track.DoubtfulCount + 1 < _options.SplitAfter)
                {
                    matchedTracks.Add(track);
                    track.AddDoubtful(face, now);
                    assignments[index] = new TrackAssignment(track.Id, track.State, face.Quality, false);
                }
                else
                {
                    var successor = Split(track, face, frame, ended, started);
                    matchedTracks.Add(successor);
                    assignments[index] = new TrackAssignment(successor.Id, successor.State, face.Quality, true);
                }
                continue;
            }
            matchedTracks.Add(track);
            bool newBest = track.Hit(face, now, frame.Width, frame.Height, positional);
            AfterHit(track, newBest, now, started, updated);
            assignments[index] = new TrackAssignment(track.Id, track.State, face.Quality, newBest);
        }

        for (int i = _tracks.Count - 1; i >= 0; i--)
        {
            var track = _tracks[i];
            if (matchedTracks.Contains(track)) continue;
            track.Miss();
            if (track.State == TrackState.Tentative)
            {
                if (track.Misses > _options.TentativeMaxMisses) _tracks.RemoveAt(i);
            }
            else track.State = TrackState.Lost;
        }

        for (int i = 0; i < faces.Length; i++)
        {
            if (taken[i]) continue;
            var face = faces[i]!.Value;
            if (face.Observation.Score < _options.MinBirthScore)
            {
                assignments[i] = new TrackAssignment(null, null, face.Quality, false);
                continue;
            }
            var track = Birth(face, frame, started);
            assignments[i] = new TrackAssignment(track.Id, track.State, face.Quality, true);
        }

        return new TrackerUpdate([.. ended, .. started, .. updated], assignments!);
    }

    /// <inheritdoc />
    public IReadOnlyList<TrackEvent> Expire(DateTimeOffset now)
    {
        var ended = new List<TrackEvent>();
        ExpireInto(now, ended);
        return ended;
    }

    /// <summary>Expires lost tracks at the clock's current time.</summary>
    public IReadOnlyList<TrackEvent> Expire() => Expire(_time.GetUtcNow());

    /// <inheritdoc />
    public IReadOnlyList<TrackEvent> EndAll(DateTimeOffset now)
    {
        var ended = new List<TrackEvent>();
        foreach (var track in _tracks)
            if (track.State != TrackState.Tentative) ended.Add(End(track, TrackEndReason.Flushed, now));
        _tracks.Clear();
        return ended;
    }

    /// <summary>Ends every track at the clock's current time.</summary>
    public IReadOnlyList<TrackEvent> EndAll() => EndAll(_time.GetUtcNow());

    /// <summary>A new track from <paramref name="face"/> (and the doubtful faces it continues), confirmed at once when
    /// it already has ConfirmHits hits.</summary>
    private Track Birth(PreparedFace face, FrameFaces frame, List<TrackEvent> started, IReadOnlyList<DoubtfulFace>? earlier = null)
    {
        long seq = ++_sequence;
        var track = new Track(_idPrefix + seq.ToString(CultureInfo.InvariantCulture), CameraId, seq, face, frame.Time, frame.Width, frame.Height,
            _options, earlier);
        _tracks.Add(track);
        if (track.HitCount >= _options.ConfirmHits) Confirm(track, frame.Time, started);
        return track;
    }

    /// <summary>Ends <paramref name="track"/> as it was before its doubtful faces (silently if it was tentative) and starts
    /// the track of the person they belong to.</summary>
    private Track Split(Track track, PreparedFace face, FrameFaces frame, List<TrackEvent> ended, List<TrackEvent> started)
    {
        // The earlier doubtful faces go with this one only if they look like it: two different strangers in a row
        // both disagree with the track, but must not make one track either.
        var earlier = track.TakeDoubtful()
            .Where(d => Embeddings.Cosine(d.Face.Embedding!, face.Embedding!) >= _options.SplitSimilarity).ToList();
        _tracks.Remove(track);
        if (track.State != TrackState.Tentative) ended.Add(End(track, TrackEndReason.Split, frame.Time));
        return Birth(face, frame, started, earlier);
    }

    private void ExpireInto(DateTimeOffset now, List<TrackEvent> ended)
    {
        for (int i = 0; i < _tracks.Count; i++)
        {
            var track = _tracks[i];
            if (now - track.LastSeen <= _options.MaxAge) continue;
            if (track.State != TrackState.Tentative) ended.Add(End(track, TrackEndReason.Expired, now));
            _tracks.RemoveAt(i--);
        }
    }

    private static TrackEvent End(Track track, TrackEndReason reason, DateTimeOffset now)
    {
        track.State = TrackState.Ended;
        track.EndReason = reason;
        return new TrackEvent(TrackEventKind.Ended, track.Snapshot(), now);
    }

    private void AfterHit(Track track, bool newBest, DateTimeOffset now, List<TrackEvent> started, List<TrackEvent> updated)
    {
        switch (track.State)
        {
            case TrackState.Tentative:
                if (track.HitCount >= _options.ConfirmHits) Confirm(track, now, started);
                return;
            case TrackState.Lost:
                track.State = TrackState.Confirmed; // re-attached: the same person, the same track, no new event
                break;
        }

        TrackUpdateReason reason;
        if (newBest && track.Best.Quality >= track.LastEventQuality + _options.BestFaceMinGain)
            reason = TrackUpdateReason.BestFaceImproved;
        else if (_options.EvidenceUpdates && track.EvidenceFaces >= Math.Max(1, 2 * track.LastEventEvidence))
            reason = TrackUpdateReason.EvidenceGrew; // doubling: O(log n) events over a long track, each worth a new decision
        else if (_options.UpdateInterval > TimeSpan.Zero && now - track.LastEventTime >= _options.UpdateInterval)
            reason = TrackUpdateReason.Interval;
        else
            return;
        MarkEvent(track, now);
        updated.Add(new TrackEvent(TrackEventKind.Updated, track.Snapshot(), now, reason));
    }

    private static void Confirm(Track track, DateTimeOffset now, List<TrackEvent> started)
    {
        track.State = TrackState.Confirmed;
        MarkEvent(track, now);
        started.Add(new TrackEvent(TrackEventKind.Started, track.Snapshot(), now));
    }

    private static void MarkEvent(Track track, DateTimeOffset now)
    {
        track.LastEventQuality = track.Best.Quality;
        track.LastEventEvidence = track.EvidenceFaces;
        track.LastEventTime = now;
    }

    private List<Track> InState(TrackState state) => _tracks.FindAll(t => t.State == state);

    /// <summary>Greedy matching of <paramref name="tracks"/> to the faces not yet taken; marks the faces it takes.</summary>
    private List<(Track Track, int Index, bool Positional, bool Doubtful)> Associate(
        List<Track> tracks, PreparedFace?[] faces, bool[] taken, DateTimeOffset now, bool reidentify)
    {
        var pairs = new List<(float Score, Track Track, int Index, bool Positional, bool Doubtful)>();
        foreach (var track in tracks)
        {
            var predicted = track.Predict(now);
            float size = MathF.Sqrt(Math.Max(predicted.Area, 1f));
            for (int i = 0; i < faces.Length; i++)
            {
                if (taken[i]) continue;
                var face = faces[i]!.Value;
                var box = face.Observation.Box;
                var likeness = track.Compare(face.Embedding);
                float iou = predicted.IoU(box);
                float distance = CenterDistance(predicted, box) / size;
                float scaleChange = MathF.Sqrt(Math.Max(box.Area, 1f)) / size;
                // A turn or a changed pace at low fps leaves the face beside its prediction: near, and about as big.
                bool moved = distance <= _options.MaxMotionDistance && scaleChange is >= 1 / MaxScaleChange and <= MaxScaleChange;
                if (likeness is not { } like)
                {
                    // Motion alone cannot tell two people apart: a clear overlap with where the track should be, or a
                    // step beside it from a track seen in the previous frame (a turn, a bounce). Never a lost track
                    // found again away from its prediction.
                    bool clear = iou >= _options.MotionOnlyMinIoU;
                    if (!clear && !(moved && track.Misses == 0)) continue;
                    float near = clear ? iou : Math.Max(iou, _options.MinIoU * (1 - distance / _options.MaxMotionDistance));
                    // Unknown evidence counts as borderline (MinSimilarity), so a pair whose embeddings agree outranks it.
                    pairs.Add((_options.IoUWeight * near + (1 - _options.IoUWeight) * Math.Max(_options.MinSimilarity, 0), track, i, true, false));
                    continue;
                }
                // After a gap the pose has no continuity to follow: a lost track compares with its settled appearance
                // only, not with its latest face (which would give a look-alike a second, noisier chance).
                float similarity = reidentify ? like.Anchor : like.Similarity;
                if (similarity < _options.RejectSimilarity) continue;
                bool doubtful = similarity < _options.SplitSimilarity || like.Anchor < _options.RejectSimilarity;
                if (doubtful && reidentify) continue;
                bool overlaps = iou >= _options.MinIoU;
                bool nearAndAlike = similarity >= _options.MinSimilarity && distance <= _options.MaxCenterDistance;
                bool reidentified = reidentify && similarity >= _options.ReidMinSimilarity;
                if (!overlaps && !moved && !nearAndAlike && !reidentified) continue;

                float affinity = overlaps || !moved ? iou : Math.Max(iou, _options.MinIoU * (1 - distance / _options.MaxMotionDistance));
                float score = _options.IoUWeight * affinity + (1 - _options.IoUWeight) * Math.Max(similarity, 0);
                // Near the prediction the motion model still holds; a re-identification elsewhere restarts it.
                pairs.Add((score, track, i, overlaps || distance <= _options.MaxCenterDistance, doubtful));
            }
        }

        // Doubtful pairs last: a face that clearly agrees with a track gets it before a doubtful face that overlaps it
        // better (two look-alikes swapping places). Then best score first; ties go to the older track, then the
        // earlier face, so runs are reproducible.
        pairs.Sort((a, b) =>
        {
            int c = a.Doubtful.CompareTo(b.Doubtful);
            if (c != 0) return c;
            c = b.Score.CompareTo(a.Score);
            if (c != 0) return c;
            c = a.Track.Sequence.CompareTo(b.Track.Sequence);
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });

        var matches = new List<(Track, int, bool, bool)>();
        var used = new HashSet<Track>();
        foreach (var (_, track, index, positional, doubtful) in pairs)
        {
            if (taken[index] || used.Contains(track)) continue;
            taken[index] = true;
            used.Add(track);
            matches.Add((track, index, positional, doubtful));
        }
        return matches;
    }

    private static float CenterDistance(FaceBox a, FaceBox b)
    {
        var ca = a.Center;
        var cb = b.Center;
        float dx = ca.X - cb.X, dy = ca.Y - cb.Y;
        return MathF.Sqrt(dx * dx + dy * dy);
    }

    /// <summary>Quality and a private normalised embedding copy per face; null for a face with an unusable box.</summary>
    private PreparedFace?[] Prepare(FrameFaces frame)
    {
        var prepared = new PreparedFace?[frame.Faces.Count];
        for (int i = 0; i < prepared.Length; i++)
        {
            var face = frame.Faces[i];
            ArgumentNullException.ThrowIfNull(face, nameof(frame));
            var b = face.Box;
            // A detector glitch must not stop a camera's tracking: such a face is skipped (its assignment has no track).
            if (!(float.IsFinite(b.X1) && float.IsFinite(b.Y1) && float.IsFinite(b.X2) && float.IsFinite(b.Y2))
                || b.Width <= 0 || b.Height <= 0 || !float.IsFinite(face.Score))
                continue;

            float[]? embedding = null;
            if (face.Embedding is { Length: > 0 } e)
            {
                if (_embeddingDimension == 0) _embeddingDimension = e.Length;
                else if (e.Length != _embeddingDimension)
                    throw new ArgumentException($"embedding length {e.Length} differs from this camera's {_embeddingDimension}", nameof(frame));
                // Copied (the caller may reuse its buffers) and re-normalised (cosine as a dot product relies on unit length).
                embedding = Embeddings.Normalize(e);
                if (Embeddings.Norm(embedding) == 0) embedding = null;
            }
            prepared[i] = new PreparedFace(face, FaceQuality.Compute(face, frame.Width, frame.Height, _options), embedding);
        }
        return prepared;
    }

    private static string NewSession(TimeProvider time)
    {
        // Start time in seconds (hex) plus 16 random bits: sessions of one camera never collide across restarts,
        // and ids sort roughly by tracker start.
        long seconds = time.GetUtcNow().ToUnixTimeSeconds();
        int random = RandomNumberGenerator.GetInt32(0x10000);
        return seconds.ToString("x", CultureInfo.InvariantCulture) + random.ToString("x4", CultureInfo.InvariantCulture);
    }
}
