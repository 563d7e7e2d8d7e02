using OpenCvSharp;
using VideoFace.Media.Output;
using VideoFace.Vision.Detection;

namespace VideoFace.Pipeline;

/// <summary>A whole frame as a JPEG and one face's box in that JPEG's pixels: the scene a track's best face came from.</summary>
/// <param name="Box">The face, in keyframe pixels (the JPEG may be smaller than the analysed frame).</param>
public sealed record Keyframe(byte[] Jpeg, int Width, int Height, FaceBox Box);

/// <summary>Whole-frame JPEGs for keyframes and camera previews: downscaled so the long side fits, boxes mapped along.</summary>
public static class FrameJpeg
{
    /// <summary>Longest side of a keyframe or preview JPEG; larger frames are downscaled (area interpolation).</summary>
    public const int MaxLongSide = 1280;

    /// <summary>JPEG quality of keyframes and previews: whole scenes, viewed at screen size.</summary>
    public const int Quality = 80;

    /// <summary>The scale (≤ 1) that brings a <paramref name="width"/>×<paramref name="height"/> frame within <paramref name="maxLongSide"/>.</summary>
    public static double ScaleFor(int width, int height, int maxLongSide = MaxLongSide) =>
        Math.Max(width, height) <= maxLongSide ? 1 : (double)maxLongSide / Math.Max(width, height);

    /// <summary>Encodes a BGR frame, downscaled to <paramref name="maxLongSide"/>; returns the JPEG, its size and the scale applied.</summary>
    public static (byte[] Jpeg, int Width, int Height, double Scale) Encode(Mat bgr, int maxLongSide = MaxLongSide, int quality = Quality)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var scale = ScaleFor(bgr.Cols, bgr.Rows, maxLongSide);
        if (scale >= 1) return (JpegEncoder.Encode(bgr, quality), bgr.Cols, bgr.Rows, 1);
        int w = Math.Max(1, (int)Math.Round(bgr.Cols * scale)), h = Math.Max(1, (int)Math.Round(bgr.Rows * scale));
        using var small = new Mat();
        Cv2.Resize(bgr, small, new Size(w, h), interpolation: InterpolationFlags.Area);
        return (JpegEncoder.Encode(small, quality), w, h, scale);
    }

    /// <summary>A box of the source frame in the pixels of a JPEG made at <paramref name="scale"/>, clipped to it.</summary>
    public static FaceBox Map(FaceBox box, double scale, int width, int height) =>
        box.Scale((float)scale, (float)scale).Clip(width, height);
}
