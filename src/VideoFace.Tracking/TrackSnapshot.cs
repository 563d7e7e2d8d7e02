using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Tracking;

/// <summary>Lifecycle state of a track.</summary>
public enum TrackState
{
    /// <summary>Born from an unmatched face; not announced until it has ConfirmHits hits.</summary>
    Tentative,
    /// <summary>Seen often enough to be a real face; matched in the latest frame or re-attached.</summary>
    Confirmed,
    /// <summary>Confirmed but missed in recent frames; kept for MaxAge so it can re-attach.</summary>
    Lost,
    /// <summary>Finished; no more faces join it.</summary>
    Ended,
}

/// <summary>Why a track ended.</summary>
public enum TrackEndReason
{
    /// <summary>Unseen for longer than MaxAge.</summary>
    Expired,
    /// <summary>Ended by EndAll (camera stopped).</summary>
    Flushed,
    /// <summary>Its latest faces stopped looking like its earlier ones (SplitAfter doubtful faces in a row): another
    /// person took its place, and continues in a new track. The summary holds only the faces before the doubt.</summary>
    Split,
}

/// <summary>The best-quality face of a track, with the frame it came from so the caller can cut the thumbnail.</summary>
/// <param name="Embedding">That face's own normalised embedding, or null when it was not embedded; shared, do not change.</param>
public sealed record BestFace(
    FaceBox Box,
    float DetectorScore,
    float Quality,
    Point2f[]? Keypoints,
    float[]? Embedding,
    DateTimeOffset FrameTime,
    int FrameWidth,
    int FrameHeight);

/// <summary>An immutable view of one track at the moment it was taken.</summary>
/// <param name="Id">Unique per camera and across restarts: "{cameraId}-{session}-{sequence}".</param>
/// <param name="LastSeen">Frame time of the latest face; for an ended track this is its end time.</param>
/// <param name="Embedding">Re-normalised mean of the embeddings of the track's top-K quality faces; null while none
/// of its faces had an embedding. Shared, do not change.</param>
/// <param name="EmbeddedFaces">How many faces went into <paramref name="Embedding"/> (at most TopK).</param>
/// <param name="EvidenceFaces">How many embedded faces joined the track over its life, each agreeing with its
/// appearance (doubtful faces do not count): the evidence a name given to the track rests on.</param>
public sealed record TrackSnapshot(
    string Id,
    string CameraId,
    TrackState State,
    DateTimeOffset StartTime,
    DateTimeOffset LastSeen,
    int HitCount,
    FaceBox LastBox,
    BestFace BestFace,
    float[]? Embedding,
    int EmbeddedFaces,
    TrackEndReason? EndReason,
    int EvidenceFaces)
{
    /// <summary>The end time of an ended track (its last sighting), else null.</summary>
    public DateTimeOffset? EndTime => State == TrackState.Ended ? LastSeen : null;

    /// <summary>Time from the first to the latest sighting.</summary>
    public TimeSpan Duration => LastSeen - StartTime;
}

/// <summary>Kind of a track event.</summary>
public enum TrackEventKind
{
    /// <summary>The track was confirmed (TrackStarted); tentative tracks are never announced.</summary>
    Started,
    /// <summary>The best face improved by BestFaceMinGain, the evidence grew (EvidenceUpdates), or UpdateInterval
    /// passed while the track was visible.</summary>
    Updated,
    /// <summary>The track ended; the snapshot is its final summary.</summary>
    Ended,
}

/// <summary>Why a TrackUpdated event was emitted.</summary>
public enum TrackUpdateReason
{
    /// <summary>Not an Updated event.</summary>
    None,
    /// <summary>A better face was seen: a new thumbnail and usually a better embedding.</summary>
    BestFaceImproved,
    /// <summary>UpdateInterval passed since the last event (a heartbeat for a long visible track).</summary>
    Interval,
    /// <summary>The track's embedded faces (EvidenceFaces) at least doubled since its last event: enough new evidence
    /// to decide its name again. Every Updated event carries the current count, whatever its reason.</summary>
    EvidenceGrew,
}

/// <summary>Something that happened to a track during one Update, Expire or EndAll call.</summary>
/// <param name="Time">The frame time (or the time given to Expire/EndAll) at which it was decided.</param>
public sealed record TrackEvent(TrackEventKind Kind, TrackSnapshot Track, DateTimeOffset Time, TrackUpdateReason Reason = TrackUpdateReason.None);

/// <summary>Which track an observation joined.</summary>
/// <param name="TrackId">The track, or null when the face started no track (score below MinBirthScore).</param>
/// <param name="IsNewBestFace">This face became its track's best: cut the thumbnail from this frame now.</param>
public sealed record TrackAssignment(string? TrackId, TrackState? State, float Quality, bool IsNewBestFace);

/// <summary>The outcome of one analysed frame: events in order (ended, started, updated) and, for each observation
/// in input order, its track.</summary>
public sealed record TrackerUpdate(IReadOnlyList<TrackEvent> Events, IReadOnlyList<TrackAssignment> Assignments);
