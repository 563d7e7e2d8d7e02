using VideoFace.Abstractions;
using VideoFace.Media.Security;

namespace VideoFace.Hosting.Api.Contracts;

/// <summary>Body of PUT /api/cameras/{id}.</summary>
public sealed record CameraRequest(string Url, double? Fps, bool? Enabled, string? Name, string? Zone);

/// <summary>
/// A camera: its settings, ingest health and counters. While it fails, <c>reason</c> is the last failure and
/// <c>retry_at</c> when it is tried next (the delay doubles with each failure in a row, up to Media:ReconnectMaxDelay).
/// </summary>
public sealed record CameraResponse(
    string Id, string? Url, double? Fps, bool Enabled, string? Name, string? Zone, string Health, string? Reason, string? Silo,
    long FramesAnalyzed, long FacesDetected, long TracksStarted, long FramesDropped, DateTimeOffset? LastFrameAt, DateTimeOffset? RetryAt = null)
{
    public static CameraResponse From(CameraStatus s)
    {
        var i = s.Ingest;
        return new(
            // credentials never leave the server
            s.CameraId, s.Config?.Url is { } url ? Secrets.RedactUrl(url) : null, s.Config?.AnalysisFps, s.Config?.Enabled ?? false,
            s.Config?.Name, s.Config?.Zone, i.Health.ToString(), i.Reason is { } reason ? Secrets.RedactText(reason) : null, s.Silo,
            i.FramesAnalyzed, i.FacesDetected, i.TracksStarted, i.FramesDropped, i.LastFrameAt, i.RetryAt);
    }
}

/// <summary>A camera's latest analysed frame as a data URL, with the faces found in it.</summary>
public sealed record CameraPreviewResponse(string Camera, DateTimeOffset CapturedAt, int Width, int Height, string Image, IReadOnlyList<PreviewFaceResponse> Faces)
{
    public static CameraPreviewResponse From(string camera, CameraPreview p) => new(
        camera, p.CapturedAt, p.Width, p.Height, "data:image/jpeg;base64," + Convert.ToBase64String(p.Jpeg),
        p.Faces.Select(f => new PreviewFaceResponse([f.X, f.Y, f.Width, f.Height], f.Score, f.TrackId, f.IdentityId, f.IdentityName)).ToList());
}

/// <summary>A face in a preview; <c>box</c> is [x, y, width, height] in the image's pixels.</summary>
public sealed record PreviewFaceResponse(float[] Box, float Score, string? TrackId, string? IdentityId, string? IdentityName);
