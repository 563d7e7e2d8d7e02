using OpenCvSharp;

namespace VideoFace.Vision.Alignment;

/// <summary>
/// Aligns a face to the ArcFace 112×112 five-point template with the least-squares similarity transform
/// (Umeyama without reflection), as InsightFace's <c>norm_crop</c> does.
/// </summary>
public static class FaceAligner
{
    /// <summary>The ArcFace template for a 112×112 crop: eyes, nose tip, mouth corners.</summary>
    public static readonly Point2f[] ArcFaceTemplate =
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ];

    /// <summary>
    /// The 2×3 similarity matrix [a −b tx; b a ty] minimising Σ‖M·src − dst‖². In 2-D the rotation-constrained
    /// Umeyama solution has this closed form, so no SVD is needed.
    /// </summary>
    public static double[,] EstimateSimilarity(IReadOnlyList<Point2f> src, IReadOnlyList<Point2f> dst)
    {
        if (src.Count != dst.Count || src.Count < 2) throw new ArgumentException("need at least two matching point pairs");
        int n = src.Count;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) { sx += src[i].X; sy += src[i].Y; dx += dst[i].X; dy += dst[i].Y; }
        sx /= n; sy /= n; dx /= n; dy /= n;
        double num_a = 0, num_b = 0, den = 0;
        for (int i = 0; i < n; i++)
        {
            double px = src[i].X - sx, py = src[i].Y - sy, qx = dst[i].X - dx, qy = dst[i].Y - dy;
            num_a += px * qx + py * qy;
            num_b += px * qy - py * qx;
            den += px * px + py * py;
        }
        if (den < 1e-12) throw new ArgumentException("source points coincide");
        double a = num_a / den, b = num_b / den;
        return new double[,] { { a, -b, dx - (a * sx - b * sy) }, { b, a, dy - (b * sx + a * sy) } };
    }

    /// <summary>The face warped to a <paramref name="size"/>×<paramref name="size"/> crop (template scaled from 112).</summary>
    public static Mat Align(Mat bgr, IReadOnlyList<Point2f> keypoints, int size = 112)
    {
        if (keypoints.Count != 5) throw new ArgumentException("expected 5 key points", nameof(keypoints));
        float ratio = size / 112f;
        var template = ArcFaceTemplate.Select(p => new Point2f(p.X * ratio, p.Y * ratio)).ToArray();
        var m = EstimateSimilarity(keypoints, template);
        using var matrix = Mat.FromArray(m);
        var crop = new Mat();
        Cv2.WarpAffine(bgr, crop, matrix, new Size(size, size), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        return crop;
    }
}
