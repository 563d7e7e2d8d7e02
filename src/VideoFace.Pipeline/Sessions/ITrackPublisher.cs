namespace VideoFace.Pipeline.Sessions;

/// <summary>
/// The one place a camera's tracks leave the pipeline: camera sessions hand it every track notice and tell it when a run
/// of a camera's pipeline begins, is being stopped and has ended, so that what a run opened is closed. Kept behind an
/// interface so the session loop knows nothing of where tracks are stored (blobs, gallery, identities, index).
/// </summary>
public interface ITrackPublisher
{
    /// <summary>A run of the camera's pipeline starts: whatever an earlier run left open ends before this one opens any track.</summary>
    Task BeginRunAsync(string cameraId);

    /// <summary>Stores and names one track notice of the camera.</summary>
    Task PublishAsync(string cameraId, TrackNotice notice, CancellationToken ct);

    /// <summary>The camera's session is being stopped: its tracks that end from now on end for <paramref name="reason"/>.</summary>
    void Stopping(string cameraId, CameraStopReason reason);

    /// <summary>The run has ended (its own track ends delivered where possible): whatever is still open ends now.</summary>
    Task EndRunAsync(string cameraId);
}

/// <summary>Why a camera session is stopped.</summary>
public enum CameraStopReason
{
    /// <summary>Its camera was disabled, removed, reconfigured or deactivated.</summary>
    Stopped,

    /// <summary>The process is shutting down.</summary>
    Shutdown,
}
