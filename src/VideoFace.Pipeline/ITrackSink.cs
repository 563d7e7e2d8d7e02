using VideoFace.Media.Health;
using VideoFace.Tracking;

namespace VideoFace.Pipeline;

/// <summary>A track-level event of a camera pipeline with the JPEG of the track's best face so far (null if none yet).</summary>
/// <param name="Keyframe">The whole frame that best face came from, with its box; the same instance until the best face
/// changes, so a sink can tell a new keyframe from one it already stored.</param>
public sealed record TrackNotice(TrackEventKind Kind, TrackSnapshot Track, byte[]? Thumbnail, DateTimeOffset FrameDecodedAt,
    Keyframe? Keyframe = null);

/// <summary>Where a camera pipeline sends tracks (per track, not per frame) and its health.</summary>
public interface ITrackSink
{
    Task OnTrackAsync(string cameraId, TrackNotice notice, CancellationToken ct);

    Task OnStatusAsync(string cameraId, CameraIngestStatus status, CancellationToken ct);
}
