using OpenCvSharp;
using VideoFace.Media.Frames;

namespace VideoFace.Media.Output;

/// <summary>JPEG encoding of frames and face crops (thumbnails, keyframes).</summary>
public static class JpegEncoder
{
    /// <summary>Encodes the whole frame.</summary>
    public static byte[] Encode(VideoFrame frame, int quality = 90)
    {
        using var mat = frame.AsMat();
        return Encode(mat, quality);
    }

    /// <summary>Encodes a region of the frame (clipped to the frame), e.g. a face crop.</summary>
    public static byte[] EncodeRegion(VideoFrame frame, Rect region, int quality = 90)
    {
        var clipped = region.Intersect(new Rect(0, 0, frame.Width, frame.Height));
        if (clipped.Width <= 0 || clipped.Height <= 0)
            throw new ArgumentException($"region {region} lies outside the {frame.Width}x{frame.Height} frame", nameof(region));
        using var mat = frame.AsMat();
        using var crop = new Mat(mat, clipped);
        return Encode(crop, quality);
    }

    /// <summary>Encodes a BGR Mat.</summary>
    public static byte[] Encode(Mat bgr, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        Cv2.ImEncode(".jpg", bgr, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        if (bytes is not { Length: > 0 }) throw new InvalidOperationException("OpenCV could not encode the image as JPEG");
        return bytes;
    }
}
