using VideoFace.Abstractions;
using VideoFace.Grains.Tracks;
using VideoFace.Media.Health;
using VideoFace.Pipeline;
using VideoFace.Pipeline.Sessions;

namespace VideoFace.Grains.Cameras;

/// <summary>
/// What a camera grain decides, apart from Orleans: whether a configuration is acceptable, what its session reads, the
/// status it answers, and how a preview's faces are named.
/// </summary>
public static class CameraRules
{
    /// <summary>Refuses a configuration without a URL or with an analysis rate outside (0, 60] frames a second.</summary>
    public static void Validate(CameraConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.Url)) throw new ArgumentException("camera url is required");
        if (config.AnalysisFps is <= 0 or > 60 || double.IsNaN(config.AnalysisFps))
            throw new ArgumentException($"analysis fps must be in (0, 60] (was {config.AnalysisFps})");
    }

    /// <summary>What the camera's session reads.</summary>
    public static CameraFeed Feed(CameraConfig config) => new(config.Url, config.AnalysisFps);

    /// <summary>
    /// The camera's status: its session's own when it is enabled (connecting while none runs here yet); stopped, with no
    /// next try, when it is disabled or unknown (with the counters of a session still stopping, if one is).
    /// </summary>
    public static CameraIngestStatus Status(CameraConfig? config, CameraIngestStatus? session) =>
        config is { Enabled: true } ? session ?? CameraIngestStatus.Connecting
        : session is null ? CameraIngestStatus.Stopped
        : session with { Health = HealthState.Stopped, RetryAt = null };

    /// <summary>A preview with each face's identity, where its track has one (<paramref name="label"/>).</summary>
    public static CameraPreview Named(FramePreview preview, Func<string, TrackLabel?> label)
    {
        var faces = preview.Faces.Select(f =>
        {
            var id = f.TrackId is { } t ? label(t) : null;
            return new CameraPreviewFace(f.Box.X1, f.Box.Y1, f.Box.Width, f.Box.Height, f.Score, f.TrackId, id?.IdentityId, id?.Name);
        }).ToList();
        return new CameraPreview(preview.Jpeg, preview.Width, preview.Height, preview.CapturedAt, faces);
    }
}
