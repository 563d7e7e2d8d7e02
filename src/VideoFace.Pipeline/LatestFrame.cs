using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Pipeline;

/// <summary>A face found in a camera's latest analysed frame.</summary>
/// <param name="Box">In the pixels of the frame it belongs to.</param>
/// <param name="TrackId">The confirmed track it joined, or null (no track yet, or still tentative).</param>
public sealed record PreviewFace(FaceBox Box, float Score, string? TrackId);

/// <summary>A camera's latest analysed frame as a JPEG, with its faces in the JPEG's pixels.</summary>
public sealed record FramePreview(byte[] Jpeg, int Width, int Height, DateTimeOffset CapturedAt, IReadOnlyList<PreviewFace> Faces);

/// <summary>
/// The latest analysed frame of one camera and its faces, for previews. <see cref="Update"/> copies the pixels into one
/// buffer reused frame after frame (the decoder's frames are pooled and go back after analysis); <see cref="Render"/>
/// encodes to JPEG only when someone asks. Safe to update from the camera's loop while another thread renders.
/// </summary>
public sealed class LatestFrame
{
    private readonly Lock _lock = new();
    private byte[] _pixels = [];
    private int _width, _height;
    private DateTimeOffset _capturedAt;
    private IReadOnlyList<PreviewFace> _faces = [];
    private bool _hasFrame;

    /// <summary>Whether a frame was kept yet.</summary>
    public bool HasFrame
    {
        get { lock (_lock) return _hasFrame; }
    }

    /// <summary>Keeps a copy of a BGR24 frame (tightly packed rows) and its faces, replacing the previous one.</summary>
    public void Update(ReadOnlySpan<byte> bgr, int width, int height, DateTimeOffset capturedAt, IReadOnlyList<PreviewFace> faces)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(faces);
        int length = width * height * 3;
        if (bgr.Length < length) throw new ArgumentException($"need {length} bytes for {width}x{height} BGR24, got {bgr.Length}", nameof(bgr));
        lock (_lock)
        {
            if (_pixels.Length < length) _pixels = new byte[length]; // grows only when the stream's size grows
            bgr[..length].CopyTo(_pixels);
            (_width, _height, _capturedAt, _faces, _hasFrame) = (width, height, capturedAt, faces, true);
        }
    }

    /// <summary>The kept frame as a JPEG (long side at most <paramref name="maxLongSide"/>) with its faces mapped into it; null before the first frame.</summary>
    public FramePreview? Render(int maxLongSide = FrameJpeg.MaxLongSide, int quality = FrameJpeg.Quality)
    {
        lock (_lock)
        {
            if (!_hasFrame) return null;
            using var mat = Mat.FromPixelData(_height, _width, MatType.CV_8UC3, _pixels, _width * 3);
            var (jpeg, w, h, scale) = FrameJpeg.Encode(mat, maxLongSide, quality);
            var faces = _faces.Select(f => f with { Box = FrameJpeg.Map(f.Box, scale, w, h) }).ToList();
            return new FramePreview(jpeg, w, h, _capturedAt, faces);
        }
    }
}
