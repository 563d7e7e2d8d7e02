using VideoFace.Vision.Detection;
using VideoFace.Vision.Quality;

namespace VideoFace.Tracking;

/// <summary>Which detected faces a camera embeds.</summary>
public enum EmbedMode
{
    /// <summary>Every detected face of every analysed frame (the embedder's cost grows with faces × fps).</summary>
    EveryFace,

    /// <summary>Only faces that add information to their track (see <see cref="EmbedPolicy"/>); the others join their
    /// track by position, without an embedding.</summary>
    OnChange,
}

/// <summary>Why a face is embedded, or <see cref="Skip"/> when it is not.</summary>
public enum EmbedReason
{
    /// <summary>Not embedded: one track clearly holds it, it looks as it did at the track's last embedding, and that
    /// embedding is recent.</summary>
    Skip,
    /// <summary>The mode embeds every face.</summary>
    EveryFace,
    /// <summary>No track overlaps it enough: a new face, or a jump.</summary>
    NoTrack,
    /// <summary>Two tracks overlap it, or two faces overlap its track: position cannot tell who is who.</summary>
    Ambiguous,
    /// <summary>Its track is new (fewer than FirstFaces embedded faces), was missed in the previous frame, or its last
    /// embedded face did not agree with it (a doubt to settle, a split to make).</summary>
    Unsettled,
    /// <summary>Its size changed by more than MaxScaleChange since the track's last box.</summary>
    Resized,
    /// <summary>The track's last embedding is older than ReverifyInterval.</summary>
    Reverify,
    /// <summary>Its quality beats the track's best face by QualityGain: a better thumbnail and embedding.</summary>
    BetterFace,
    /// <summary>Its thumbprint differs from the one of the track's last embedded face (or cannot be compared): maybe
    /// someone else at the same spot.</summary>
    Changed,
}

/// <summary>Settings of the per-face embedding decision (configuration section "Tracking:EmbedPolicy").</summary>
public sealed class EmbedPolicyOptions
{
    /// <summary>OnChange (default) or EveryFace. On the generated scenes OnChange gives the same tracks, names and
    /// unknown identities as EveryFace with 14–16 % fewer embeddings at 2 fps and about half at 5 fps
    /// (docs/accuracy.md, "Embeddings per track").</summary>
    public EmbedMode Mode { get; set; } = EmbedMode.OnChange;

    /// <summary>Longest time a track goes without an embedded face while it is seen (OnChange only). Bounds how long a
    /// change the thumbprint misses can stay on a track.</summary>
    public TimeSpan ReverifyInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Embedded faces a track gathers before any of its faces is skipped: 3 is what naming needs to decide
    /// (Gallery:Naming:MinFaces), so a short track is not left undecided by the skipping.</summary>
    public int FirstFaces { get; set; } = 3;

    /// <summary>Least IoU between a face and its track's last box for the face to be skipped.</summary>
    public float ConfidentIoU { get; set; } = 0.5f;

    /// <summary>Largest change of box size (square root of the area ratio, either way) since the track's last box for
    /// the face to be skipped.</summary>
    public float MaxScaleChange { get; set; } = 1.25f;

    /// <summary>A face whose quality beats its track's best face by this much is embedded (a better thumbnail, a better
    /// embedding); 0 embeds every face better than the best.</summary>
    public float QualityGain { get; set; } = 0.05f;

    /// <summary>Least thumbprint likeness (<see cref="FaceThumbprint.Likeness"/>) to the track's last embedded face for
    /// a face to be skipped.</summary>
    public float MinThumbprintLikeness { get; set; } = 0.9f;

    /// <summary>Returns the problems of this configuration under <paramref name="prefix"/>; empty when valid.</summary>
    public IReadOnlyList<string> Validate(string prefix = TrackerOptions.SectionName + ":EmbedPolicy")
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string rule, object value)
        {
            if (!ok) errors.Add($"{prefix}:{key} {rule} (was {value})");
        }

        Check(Enum.IsDefined(Mode), nameof(Mode), "must be EveryFace or OnChange", Mode);
        Check(ReverifyInterval > TimeSpan.Zero && ReverifyInterval <= TimeSpan.FromSeconds(10), nameof(ReverifyInterval), "must be above 0 and at most 10 s", ReverifyInterval);
        Check(FirstFaces >= 1, nameof(FirstFaces), "must be at least 1", FirstFaces);
        Check(ConfidentIoU is > 0 and <= 1, nameof(ConfidentIoU), "must be in (0, 1]", ConfidentIoU);
        Check(float.IsFinite(MaxScaleChange) && MaxScaleChange >= 1, nameof(MaxScaleChange), "must be at least 1", MaxScaleChange);
        Check(QualityGain is >= 0 and <= 1, nameof(QualityGain), "must be in [0, 1]", QualityGain);
        Check(MinThumbprintLikeness is >= -1 and <= 1, nameof(MinThumbprintLikeness), "must be in [-1, 1]", MinThumbprintLikeness);
        return errors;
    }
}

/// <summary>
/// Decides, per camera and per detected face, whether the face is worth an embedding, so a camera pays the embedder for
/// the faces that add information to their track instead of for every face of every frame.
/// </summary>
/// <remarks>
/// <para>A face is skipped only when all of these hold: exactly one live track overlaps it (IoU ≥ ConfidentIoU with
/// its last box, or with that box moved on at the track's velocity over its last two frames) and no other track or
/// face comes near (IoU ≥ 0.1), so the tracker's position-only match (which needs
/// IoU ≥ MotionOnlyMinIoU) is the one intended; that track was seen in the previous frame, has at least FirstFaces
/// embedded faces, and its last embedded face agreed with it (gained evidence, so no doubt is pending); the box kept
/// its size (MaxScaleChange); the track's last embedding is younger than ReverifyInterval; the face is not clearly
/// better than the track's best (QualityGain); and its thumbprint (<see cref="FaceThumbprint"/>) is at least
/// MinThumbprintLikeness like the print of the track's last agreeing embedded face.</para>
/// <para>The last condition is what keeps the same-spot cut visible: the tracker splits a track on embeddings, and a
/// new person in the old person's box changes the thumbprint, so their face is embedded, found doubtful, and the
/// doubt forces the next face to be embedded too: the split happens as with every face embedded. What the thumbprint
/// misses, the re-verification finds within ReverifyInterval.</para>
/// <para>A skipped face still joins its track by position (its box, time, hit and quality count), but the tracker
/// keeps it out of the track's embedding, evidence and best face: names and thumbnails rest on embedded faces only.</para>
/// <para>Not thread-safe; one per camera, fed every analysed frame in order: <see cref="Decide"/> before embedding and
/// <see cref="Observe"/> after the tracker's update.</para>
/// </remarks>
public sealed class EmbedPolicy
{
    /// <summary>IoU from which a second track or face counts as near (ambiguous).</summary>
    internal const float NearIoU = 0.1f;

    /// <summary>Longest gap, in seconds, over which a track's motion is measured or extrapolated.</summary>
    private const double MaxMotionGap = 1.0;

    private readonly TrackerOptions _tracking;
    private readonly EmbedPolicyOptions _options;
    private readonly Dictionary<string, Memory> _memory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Motion> _motion = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastFrame;

    /// <summary>A policy with the tracker's options (quality) and their <see cref="TrackerOptions.EmbedPolicy"/>.</summary>
    public EmbedPolicy(TrackerOptions tracking)
    {
        ArgumentNullException.ThrowIfNull(tracking);
        var errors = tracking.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid tracker options: " + string.Join("; ", errors), nameof(tracking));
        _tracking = tracking;
        _options = tracking.EmbedPolicy;
    }

    /// <summary>The mode in force.</summary>
    public EmbedMode Mode => _options.Mode;

    /// <summary>For each face of <paramref name="frame"/> (no embeddings yet; sharpness measured) with its thumbprint,
    /// why it is embedded or <see cref="EmbedReason.Skip"/>. <paramref name="tracks"/> are the tracker's tracks before
    /// this frame.</summary>
    public IReadOnlyList<EmbedReason> Decide(FrameFaces frame, IReadOnlyList<float[]?> thumbprints, IReadOnlyList<TrackSnapshot> tracks)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(thumbprints);
        ArgumentNullException.ThrowIfNull(tracks);
        var reasons = new EmbedReason[frame.Faces.Count];
        for (int i = 0; i < reasons.Length; i++)
            reasons[i] = _options.Mode == EmbedMode.EveryFace ? EmbedReason.EveryFace
                : Reason(frame, i, i < thumbprints.Count ? thumbprints[i] : null, tracks);
        return reasons;
    }

    /// <summary>Notes what the tracker made of the frame: <paramref name="frame"/> with the embeddings it got (null for
    /// the skipped faces), the update, and the tracks after it.</summary>
    public void Observe(FrameFaces frame, IReadOnlyList<float[]?> thumbprints, TrackerUpdate update, IReadOnlyList<TrackSnapshot> tracks)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(thumbprints);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(tracks);
        _lastFrame = frame.Time;
        var live = tracks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        for (int i = 0; i < frame.Faces.Count && i < update.Assignments.Count; i++)
        {
            if (frame.Faces[i].Embedding is null || update.Assignments[i].TrackId is not { } id || !live.TryGetValue(id, out var track)) continue;
            var print = i < thumbprints.Count ? thumbprints[i] : null;
            if (_memory.TryGetValue(id, out var before) && track.EvidenceFaces <= before.Evidence)
                // embedded but not taken into the track's evidence: doubtful; the next face must be embedded as well,
                // and the print to compare with stays the one of the track's own person
                _memory[id] = before with { LastEmbedded = frame.Time, Doubt = true };
            else
                _memory[id] = new Memory(frame.Time, print, track.EvidenceFaces, Doubt: false);
        }
        foreach (var track in tracks) Move(track);
        foreach (var id in _memory.Keys.Where(id => !live.ContainsKey(id)).ToList()) _memory.Remove(id);
        foreach (var id in _motion.Keys.Where(id => !live.ContainsKey(id)).ToList()) _motion.Remove(id);
    }

    /// <summary>Notes a track's box; its velocity is known once it was seen in two frames in a row.</summary>
    private void Move(TrackSnapshot track)
    {
        if (_motion.TryGetValue(track.Id, out var before) && track.LastSeen == before.Seen) return;
        float vx = 0, vy = 0;
        bool known = false;
        if (before is not null && _lastFrame is { } now && track.LastSeen == now)
        {
            double dt = (track.LastSeen - before.Seen).TotalSeconds;
            if (dt is > 0 and <= MaxMotionGap)
            {
                vx = (float)((track.LastBox.Center.X - before.Box.Center.X) / dt);
                vy = (float)((track.LastBox.Center.Y - before.Box.Center.Y) / dt);
                known = true;
            }
        }
        _motion[track.Id] = new Motion(track.LastBox, track.LastSeen, vx, vy, known);
    }

    /// <summary>The track's box at <paramref name="time"/> if it keeps its last velocity; its last box when unknown.</summary>
    private FaceBox Predict(TrackSnapshot track, DateTimeOffset time)
    {
        if (!_motion.TryGetValue(track.Id, out var m) || !m.Known || m.Seen != track.LastSeen) return track.LastBox;
        float dt = (float)Math.Clamp((time - m.Seen).TotalSeconds, 0, MaxMotionGap);
        var b = track.LastBox;
        return new FaceBox(b.X1 + m.Vx * dt, b.Y1 + m.Vy * dt, b.X2 + m.Vx * dt, b.Y2 + m.Vy * dt);
    }

    private EmbedReason Reason(FrameFaces frame, int index, float[]? print, IReadOnlyList<TrackSnapshot> tracks)
    {
        var face = frame.Faces[index];
        TrackSnapshot? holder = null;
        float best = 0;
        int near = 0;
        var boxes = new Dictionary<string, (FaceBox Last, FaceBox Predicted)>(StringComparer.Ordinal);
        foreach (var t in tracks)
        {
            if (t.State == TrackState.Ended) continue;
            var predicted = Predict(t, frame.Time);
            boxes[t.Id] = (t.LastBox, predicted);
            float iou = Math.Max(t.LastBox.IoU(face.Box), predicted.IoU(face.Box));
            if (!(iou >= NearIoU)) continue;
            near++;
            if (iou > best) (best, holder) = (iou, t);
        }
        if (holder is null || best < _options.ConfidentIoU) return EmbedReason.NoTrack;
        if (near > 1) return EmbedReason.Ambiguous;
        var (lastBox, predictedBox) = boxes[holder.Id];
        for (int j = 0; j < frame.Faces.Count; j++)
            if (j != index && Math.Max(lastBox.IoU(frame.Faces[j].Box), predictedBox.IoU(frame.Faces[j].Box)) >= NearIoU)
                return EmbedReason.Ambiguous;

        if (holder.State != TrackState.Confirmed && holder.State != TrackState.Tentative
            || _lastFrame is not { } last || holder.LastSeen < last
            || holder.EvidenceFaces < _options.FirstFaces
            || !_memory.TryGetValue(holder.Id, out var memory) || memory.Doubt)
            return EmbedReason.Unsettled;

        float scale = MathF.Sqrt(Math.Max(face.Box.Area, 1f) / Math.Max(holder.LastBox.Area, 1f));
        if (!(scale <= _options.MaxScaleChange && scale >= 1 / _options.MaxScaleChange)) return EmbedReason.Resized;
        // a frame older than the last embedding (a camera clock set back) cannot vouch for the track either
        var age = frame.Time - memory.LastEmbedded;
        if (age >= _options.ReverifyInterval || age < TimeSpan.Zero) return EmbedReason.Reverify;
        if (FaceQuality.Compute(face, frame.Width, frame.Height, _tracking) > holder.BestFace.Quality + _options.QualityGain)
            return EmbedReason.BetterFace;
        if (FaceThumbprint.Likeness(print, memory.Print) < _options.MinThumbprintLikeness) return EmbedReason.Changed;
        return EmbedReason.Skip;
    }

    /// <summary>A track's last box and frame time, and its centre velocity (pixels per second) when known.</summary>
    private sealed record Motion(FaceBox Box, DateTimeOffset Seen, float Vx, float Vy, bool Known);

    /// <summary>A track as of its last embedded face: when, the print of its last agreeing face, its evidence then, and
    /// whether that last embedded face was doubtful.</summary>
    private sealed record Memory(DateTimeOffset LastEmbedded, float[]? Print, int Evidence, bool Doubt);
}
