using VideoFace.Media.Health;
namespace VideoFace.Pipeline.Sessions;

/// <summary>
/// This process's camera sessions, one per camera, started and stopped by the camera's owner (its grain in the cluster).
/// A session decodes, analyses and tracks until it is stopped, retrying its own failures.
/// </summary>
public interface ICameraSessions
{
    /// <summary>Starts the camera's session, or restarts it when the feed changed; does nothing while the process stops.</summary>
    void Start(string cameraId, CameraFeed feed);

    /// <summary>Stops the session (ending its open tracks) and waits until its ffmpeg process is gone.</summary>
    Task StopAsync(string cameraId);

    /// <summary>The session's health and counters, or null when none runs here.</summary>
    CameraIngestStatus? Snapshot(string cameraId);

    /// <summary>The session's latest analysed frame, encoded now; null when none runs here or no frame was analysed yet.</summary>
    FramePreview? Preview(string cameraId);
}
