using Orleans;
using VideoFace.Media.Health;

namespace VideoFace.Abstractions;

/// <summary>What an operator wants from a camera.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraConfig")]
public sealed record CameraConfig(
    [property: Id(0)] string Url,
    [property: Id(1)] double AnalysisFps = 2,
    [property: Id(2)] bool Enabled = true,
    [property: Id(3)] string? Name = null,
    [property: Id(4)] string? Zone = null);

/// <summary>
/// A camera's current state as the cluster sees it: what the operator configured, the silo its session runs on, and
/// the session's own <see cref="CameraIngestStatus"/> (health, reason, counters, next try), carried as it was made.
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.CameraStatus")]
public sealed record CameraStatus(
    [property: Id(0)] string CameraId,
    [property: Id(1)] CameraConfig? Config,
    [property: Id(4)] string? Silo,
    // ids 2, 3 and 5–10 held the ingest fields one by one; they stay retired
    [property: Id(11)] CameraIngestStatus Ingest);

/// <summary>
/// The wire form of <see cref="CameraIngestStatus"/>: the pipeline that makes it has no Orleans in it, so Orleans
/// serializes it through this surrogate (the health enum travels as itself).
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.CameraIngestStatus")]
public readonly record struct CameraIngestStatusSurrogate(
    [property: Id(0)] HealthState Health,
    [property: Id(1)] string? Reason,
    [property: Id(2)] long FramesAnalyzed,
    [property: Id(3)] long FacesDetected,
    [property: Id(4)] long TracksStarted,
    [property: Id(5)] long FramesDropped,
    [property: Id(6)] DateTimeOffset? LastFrameAt,
    [property: Id(7)] DateTimeOffset? RetryAt,
    [property: Id(8)] long OpenTracks);

/// <summary>Converts <see cref="CameraIngestStatus"/> to and from its wire form.</summary>
[RegisterConverter]
public sealed class CameraIngestStatusConverter : IConverter<CameraIngestStatus, CameraIngestStatusSurrogate>
{
    public CameraIngestStatus ConvertFromSurrogate(in CameraIngestStatusSurrogate s) =>
        new(s.Health, s.Reason, s.FramesAnalyzed, s.FacesDetected, s.TracksStarted, s.FramesDropped, s.LastFrameAt, s.RetryAt, s.OpenTracks);

    public CameraIngestStatusSurrogate ConvertToSurrogate(in CameraIngestStatus v) =>
        new(v.Health, v.Reason, v.FramesAnalyzed, v.FacesDetected, v.TracksStarted, v.FramesDropped, v.LastFrameAt, v.RetryAt, v.OpenTracks);
}

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
