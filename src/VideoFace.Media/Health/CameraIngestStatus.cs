namespace VideoFace.Media.Health;

/// <summary>
/// A camera's ingest health and counters: the one status record of a camera, made by its camera pipeline,
/// completed by its session (the last failure's reason and the next try while it fails), handed unchanged by the camera
/// grain to the API, which writes <see cref="Health"/>'s name. Seen from outside a session, <see cref="Health"/> is never
/// <see cref="HealthState.Idle"/> (shown as connecting) nor <see cref="HealthState.Ended"/> (shown as stopped). It lives
/// beside the health enum, below the pipeline, so the grain contracts can carry it without depending on inference.
/// </summary>
public sealed record CameraIngestStatus(
    HealthState Health,
    string? Reason = null,
    long FramesAnalyzed = 0,
    long FacesDetected = 0,
    long TracksStarted = 0,
    long FramesDropped = 0,
    DateTimeOffset? LastFrameAt = null,
    DateTimeOffset? RetryAt = null,
    long OpenTracks = 0)
{
    /// <summary>A camera that is disabled, removed or never configured: no session runs for it.</summary>
    public static CameraIngestStatus Stopped { get; } = new(HealthState.Stopped);

    /// <summary>An enabled camera whose session has not reported yet (or is being started on this silo).</summary>
    public static CameraIngestStatus Connecting { get; } = new(HealthState.Connecting);
}
