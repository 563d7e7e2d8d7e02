using VideoFace.Abstractions;

namespace VideoFace.Grains.Cameras;

/// <summary>
/// Runs camera ingest sessions on this silo (silo-local service): decoding, inference through the local device,
/// tracking, and reporting tracks to the gallery and identity grains. Camera grains start and stop sessions here.
/// </summary>
public interface ICameraSessionHost
{
    /// <summary>Starts the camera's session, or restarts it when the configuration changed.</summary>
    void Start(string cameraId, CameraConfig config);

    /// <summary>Stops the session (ending its open tracks) and waits until its ffmpeg process is gone.</summary>
    Task StopAsync(string cameraId);

    /// <summary>Latest health and counters of the session, or null when none runs here.</summary>
    CameraReport? Snapshot(string cameraId);

    /// <summary>The session's latest analysed frame, encoded now, with its faces named where known; null when none runs here or no frame was analysed yet.</summary>
    CameraPreview? Preview(string cameraId);
}
