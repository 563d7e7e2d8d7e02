using Orleans;

namespace VideoFace.Abstractions;

/// <summary>What an operator wants from a camera.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraConfig")]
public sealed record CameraConfig(
    [property: Id(0)] string Url,
    [property: Id(1)] double AnalysisFps = 2,
    [property: Id(2)] bool Enabled = true,
    [property: Id(3)] string? Name = null,
    [property: Id(4)] string? Zone = null);

/// <summary>Where a camera's ingest stands (mirrors the media stage's health states).</summary>
public enum CameraHealthState
{
    Stopped,
    Connecting,
    Streaming,
    Stalled,
    Reconnecting,
    Failed,
}

/// <summary>A camera's current state as the cluster sees it.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraStatus")]
public sealed record CameraStatus(
    [property: Id(0)] string CameraId,
    [property: Id(1)] CameraConfig? Config,
    [property: Id(2)] CameraHealthState Health,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? Silo,
    [property: Id(5)] long FramesAnalyzed,
    [property: Id(6)] long FacesDetected,
    [property: Id(7)] long TracksStarted,
    [property: Id(8)] DateTimeOffset? LastFrameAt,
    [property: Id(9)] long FramesDropped,
    [property: Id(10)] DateTimeOffset? RetryAt = null);

/// <summary>A camera's latest analysed frame: a JPEG (long side at most 1280) and the faces found in it.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraPreview")]
public sealed record CameraPreview(
    [property: Id(0)] byte[] Jpeg,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height,
    [property: Id(3)] DateTimeOffset CapturedAt,
    [property: Id(4)] IReadOnlyList<CameraPreviewFace> Faces);

/// <summary>A face in a camera preview: its box in the preview's pixels, detector score, and the track and identity it belongs to when known.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraPreviewFace")]
public sealed record CameraPreviewFace(
    [property: Id(0)] float X,
    [property: Id(1)] float Y,
    [property: Id(2)] float Width,
    [property: Id(3)] float Height,
    [property: Id(4)] float Score,
    [property: Id(5)] string? TrackId,
    [property: Id(6)] string? IdentityId,
    [property: Id(7)] string? IdentityName);
