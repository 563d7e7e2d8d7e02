using Orleans;
using Orleans.Concurrency;

namespace VideoFace.Abstractions;

/// <summary>One camera (key: camera id): its desired state, persisted, and the silo-local ingest session it runs.</summary>
public interface ICameraGrain : IGrainWithStringKey
{
    /// <summary>Sets the desired state and starts, restarts or stops ingest accordingly.</summary>
    Task ConfigureAsync(CameraConfig config);

    /// <summary>Stops ingest and forgets the camera.</summary>
    Task RemoveAsync();

    Task<CameraStatus> GetStatusAsync();

    /// <summary>The latest analysed frame as a JPEG with the faces found in it; null when no session runs or no frame was analysed yet.</summary>
    /// <remarks>Interleaves: it reads only the silo's session (thread-safe), so a dashboard polling it never queues behind a
    /// configure or stop that waits for ffmpeg.</remarks>
    [AlwaysInterleave]
    Task<CameraPreview?> GetPreviewAsync();
}
