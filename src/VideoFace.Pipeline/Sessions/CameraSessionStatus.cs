using VideoFace.Media.Health;

namespace VideoFace.Pipeline.Sessions;

/// <summary>What a camera session should read: its URL and how many frames a second to analyse.</summary>
public sealed record CameraFeed(string Url, double AnalysisFps);

/// <summary>
/// A camera session's health and counters: the one status record from the session to its camera (which adds the
/// configuration and the silo for the API). <see cref="Health"/> is never <see cref="HealthState.Idle"/> (shown as
/// connecting) nor <see cref="HealthState.Ended"/> (shown as stopped); while a failed run waits for its retry it is
/// <see cref="HealthState.Failed"/> with the failure's reason and the time of the next try.
/// </summary>
public sealed record CameraSessionStatus(
    HealthState Health,
    string? Reason,
    long FramesAnalyzed,
    long FacesDetected,
    long TracksStarted,
    DateTimeOffset? LastFrameAt,
    long FramesDropped,
    DateTimeOffset? RetryAt = null);
