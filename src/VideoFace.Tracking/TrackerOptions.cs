namespace VideoFace.Tracking;

/// <summary>Settings of the per-camera face tracker (configuration section "Tracking").</summary>
public sealed class TrackerOptions
{
    public const string SectionName = "Tracking";

    /// <summary>Hits (frames with a matched face) a new track needs before it is confirmed and announced.</summary>
    public int ConfirmHits { get; set; } = 2;

    /// <summary>Missed frames a tentative track survives; beyond this it is dropped silently (most are false detections).</summary>
    public int TentativeMaxMisses { get; set; } = 1;

    /// <summary>Grace period: a confirmed track unseen for longer than this (by frame time) is ended.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Least IoU between a track's predicted box and a face for a positional match.</summary>
    public float MinIoU { get; set; } = 0.2f;

    /// <summary>Least cosine similarity that lets a face match a nearby track when the boxes do not overlap enough
    /// (the first step of a fast face, before its velocity is known).</summary>
    public float MinSimilarity { get; set; } = 0.35f;

    /// <summary>How far (in track box sizes, the square root of its area) from the predicted centre an
    /// embedding-assisted match may be.</summary>
    public float MaxCenterDistance { get; set; } = 3f;

    /// <summary>How far (in track box sizes) from the predicted centre a face may be matched by position alone when the
    /// boxes overlap less than MinIoU (a turn or a change of pace between low-fps frames); about as big is required too.</summary>
    public float MaxMotionDistance { get; set; } = 1.5f;

    /// <summary>The appearance gate: when a face and a track both have embeddings and their cosine is below this, the
    /// face never joins the track, however well the boxes overlap. Two people crossing paths keep their own tracks,
    /// and the next person at a door or a counter starts a new one instead of continuing the previous person's.</summary>
    /// <remarks>0.30 from the default model pack's pairs over the development photos (6,612 pairs, docs/accuracy.md):
    /// impostor cosines have p99 0.248, p99.9 0.347 and max 0.365, so fewer than 1 % of impostor faces pass the
    /// gate, and the split rule (<see cref="SplitSimilarity"/>) catches those; genuine photo pairs fall below 0.30
    /// 1–5 % of the time (p1 0.169, p5 0.429), but faces of one person in consecutive frames (same light, pose and
    /// camera, seconds apart) are far more alike than photos taken years apart: at 5 fps on the development clips the
    /// lowest cosine between consecutive faces of one talking head was 0.548, in busy clips 0.431. The verification
    /// threshold (~0.28–0.30) says the same: a pair below it is not called the same person.</remarks>
    public float RejectSimilarity { get; set; } = 0.30f;

    /// <summary>Least cosine for a face to count as its track's person: a face between RejectSimilarity and this joins
    /// the track as doubtful (its position counts, its embedding never enters the track's), and SplitAfter doubtful
    /// faces in a row end the track and start a new one from them. A lost track re-attaches only to a face at least
    /// this similar: whoever steps into an empty spot must look like the one who left.</summary>
    /// <remarks>0.45 is above every impostor pair of the development photos (max 0.365) and near the genuine photo
    /// pairs' p5–p10 (0.429–0.492); consecutive faces of one person sit well above it, so doubtful faces are rare for
    /// one person and a look-alike who passed the gate cannot stay on the track.</remarks>
    public float SplitSimilarity { get; set; } = 0.45f;

    /// <summary>Doubtful faces in a row (see SplitSimilarity) that split a track: 2 lets one blurred or turned face pass
    /// without a split, and keeps a second person on the previous person's track for at most one frame.</summary>
    public int SplitAfter { get; set; } = 2;

    /// <summary>Least IoU between a track's predicted box and a face for a match when either has no embedding: position
    /// alone is trusted where the boxes clearly overlap, beside the prediction only for a track matched in the previous
    /// frame (a turn between low-fps frames), and never to re-identify a lost track.</summary>
    public float MotionOnlyMinIoU { get; set; } = 0.3f;

    /// <summary>Least cosine similarity that re-attaches a lost track to a face anywhere in the frame (a lost track also
    /// needs SplitSimilarity wherever the face is, so a lower value acts as SplitSimilarity).</summary>
    public float ReidMinSimilarity { get; set; } = 0.45f;

    /// <summary>Weight of IoU in the association score; the rest goes to cosine similarity (IoU alone without embeddings).</summary>
    public float IoUWeight { get; set; } = 0.5f;

    /// <summary>Longest time a box is extrapolated at constant velocity; beyond it the track waits where it was predicted last.</summary>
    public TimeSpan MaxPredictionTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Weight of the newest velocity measurement in the smoothed velocity, in (0, 1].</summary>
    public float VelocitySmoothing { get; set; } = 0.6f;

    /// <summary>How many of a track's best-quality faces are averaged into its embedding.</summary>
    public int TopK { get; set; } = 5;

    /// <summary>Shorter box side, in pixels, at which a face gets the full size term of its quality (the embedder's 112 px input).</summary>
    public float FullQualityFaceSize { get; set; } = 112f;

    /// <summary>
    /// Sharpness (variance of the Laplacian of the aligned crop, <see cref="VideoFace.Vision.Quality.FaceSharpness"/>) at
    /// which a face gets the full sharpness term of its quality; below it the term falls in proportion. 50 sits below
    /// the sharpest 95 % of dev photos (p5 77) and at the median of the same photos blurred with σ = 1 px (54, embeddings
    /// still 0.98 alike), while σ = 2 px (median 20, cosine to the sharp face down to 0.71) gets 0.4. Zero turns it off.
    /// </summary>
    public float FullQualitySharpness { get; set; } = 50f;

    /// <summary>Frontalness assumed for a face without key points.</summary>
    public float NoKeypointFrontalness { get; set; } = 0.5f;

    /// <summary>Factor on the quality of a face whose box is cut by the frame edge (a poor thumbnail and embedding).</summary>
    public float TruncatedFaceFactor { get; set; } = 0.5f;

    /// <summary>Least rise of the best face's quality since the last event that emits a TrackUpdated event.</summary>
    public float BestFaceMinGain { get; set; } = 0.05f;

    /// <summary>A confirmed, visible track emits TrackUpdated at least this often; zero turns the periodic update off.</summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Emit TrackUpdated (reason EvidenceGrew) each time the number of embedded faces of a confirmed track has
    /// at least doubled since its last event, so whoever names tracks can decide again on the grown evidence.</summary>
    public bool EvidenceUpdates { get; set; } = true;

    /// <summary>Least detector score for a face to start a track (weaker faces may still extend existing tracks).</summary>
    public float MinBirthScore { get; set; }

    /// <summary>Which faces the camera embeds (section "Tracking:EmbedPolicy"): only those that add information to their
    /// track (default, <see cref="VideoFace.Tracking.EmbedPolicy"/>), or every face.</summary>
    public EmbedPolicyOptions EmbedPolicy { get; set; } = new();

    /// <summary>Returns the problems of this configuration, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string rule, object value)
        {
            if (!ok) errors.Add($"{SectionName}:{key} {rule} (was {value})");
        }

        static bool Unit(float v) => v is >= 0 and <= 1;
        Check(ConfirmHits >= 1, nameof(ConfirmHits), "must be at least 1", ConfirmHits);
        Check(TentativeMaxMisses >= 0, nameof(TentativeMaxMisses), "must not be negative", TentativeMaxMisses);
        Check(MaxAge >= TimeSpan.Zero, nameof(MaxAge), "must not be negative", MaxAge);
        Check(MinIoU is > 0 and <= 1, nameof(MinIoU), "must be in (0, 1]", MinIoU);
        Check(MinSimilarity is >= -1 and <= 1, nameof(MinSimilarity), "must be in [-1, 1]", MinSimilarity);
        Check(float.IsFinite(MaxCenterDistance) && MaxCenterDistance >= 0, nameof(MaxCenterDistance), "must not be negative", MaxCenterDistance);
        Check(float.IsFinite(MaxMotionDistance) && MaxMotionDistance > 0, nameof(MaxMotionDistance), "must be positive", MaxMotionDistance);
        Check(RejectSimilarity is >= -1 and <= 1, nameof(RejectSimilarity), "must be in [-1, 1]", RejectSimilarity);
        Check(RejectSimilarity <= MinSimilarity, nameof(RejectSimilarity), "must not exceed MinSimilarity", RejectSimilarity);
        Check(SplitSimilarity is >= -1 and <= 1, nameof(SplitSimilarity), "must be in [-1, 1]", SplitSimilarity);
        Check(!(SplitSimilarity < RejectSimilarity), nameof(SplitSimilarity), "must not be below RejectSimilarity", SplitSimilarity);
        Check(SplitAfter >= 1, nameof(SplitAfter), "must be at least 1", SplitAfter);
        Check(MotionOnlyMinIoU is > 0 and <= 1, nameof(MotionOnlyMinIoU), "must be in (0, 1]", MotionOnlyMinIoU);
        Check(!(MotionOnlyMinIoU < MinIoU), nameof(MotionOnlyMinIoU), "must not be below MinIoU (motion alone is the weaker evidence)", MotionOnlyMinIoU);
        Check(ReidMinSimilarity is >= -1 and <= 1, nameof(ReidMinSimilarity), "must be in [-1, 1]", ReidMinSimilarity);
        Check(Unit(IoUWeight), nameof(IoUWeight), "must be in [0, 1]", IoUWeight);
        Check(MaxPredictionTime >= TimeSpan.Zero, nameof(MaxPredictionTime), "must not be negative", MaxPredictionTime);
        Check(VelocitySmoothing is > 0 and <= 1, nameof(VelocitySmoothing), "must be in (0, 1]", VelocitySmoothing);
        Check(TopK >= 1, nameof(TopK), "must be at least 1", TopK);
        Check(float.IsFinite(FullQualityFaceSize) && FullQualityFaceSize > 0, nameof(FullQualityFaceSize), "must be positive", FullQualityFaceSize);
        Check(float.IsFinite(FullQualitySharpness) && FullQualitySharpness >= 0, nameof(FullQualitySharpness), "must not be negative (zero turns it off)", FullQualitySharpness);
        Check(Unit(NoKeypointFrontalness), nameof(NoKeypointFrontalness), "must be in [0, 1]", NoKeypointFrontalness);
        Check(Unit(TruncatedFaceFactor), nameof(TruncatedFaceFactor), "must be in [0, 1]", TruncatedFaceFactor);
        Check(BestFaceMinGain is >= 0 and <= 1, nameof(BestFaceMinGain), "must be in [0, 1]", BestFaceMinGain);
        Check(UpdateInterval >= TimeSpan.Zero, nameof(UpdateInterval), "must not be negative (zero turns it off)", UpdateInterval);
        Check(Unit(MinBirthScore), nameof(MinBirthScore), "must be in [0, 1]", MinBirthScore);
        if (EmbedPolicy is null) errors.Add($"{SectionName}:{nameof(EmbedPolicy)} must be set");
        else errors.AddRange(EmbedPolicy.Validate());
        return errors;
    }
}
