using OpenCvSharp;

namespace VideoFace.Vision.Detection;

/// <summary>An axis-aligned face box in image pixels (x1, y1) top-left, (x2, y2) bottom-right.</summary>
public readonly record struct FaceBox(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
    public Point2f Center => new((X1 + X2) / 2, (Y1 + Y2) / 2);

    /// <summary>Intersection over union with another box.</summary>
    public float IoU(FaceBox other)
    {
        float ix = Math.Max(0, Math.Min(X2, other.X2) - Math.Max(X1, other.X1));
        float iy = Math.Max(0, Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1));
        float inter = ix * iy;
        float union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>The box scaled by (sx, sy), e.g. to map an analysis-resolution box back to the full frame.</summary>
    public FaceBox Scale(float sx, float sy) => new(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);

    /// <summary>The box clipped to an image of the given size.</summary>
    public FaceBox Clip(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));
}

/// <summary>One face found by a detector: box, confidence and, where the detector gives them, 5 key points
/// in ArcFace-template order (eye on the image's left, other eye, nose, left mouth corner, right mouth corner).</summary>
public sealed record DetectedFace(FaceBox Box, float Score, Point2f[]? Keypoints = null);
