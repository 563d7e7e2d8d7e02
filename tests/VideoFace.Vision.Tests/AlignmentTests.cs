using OpenCvSharp;
using VideoFace.Vision.Alignment;

namespace VideoFace.Vision.Tests;

public sealed class AlignmentTests
{
    [Fact]
    public void EstimateSimilarity_PointsFromKnownTransform_RecoversIt()
    {
        // face points made by a known rotation/scale/shift of the template must map back exactly
        double angle = 0.3, scale = 1.7, tx = 140, ty = -25;
        var src = FaceAligner.ArcFaceTemplate.Select(p => new Point2f(
            (float)(scale * (Math.Cos(angle) * p.X - Math.Sin(angle) * p.Y) + tx),
            (float)(scale * (Math.Sin(angle) * p.X + Math.Cos(angle) * p.Y) + ty))).ToArray();
        var m = FaceAligner.EstimateSimilarity(src, FaceAligner.ArcFaceTemplate);
        double inv = 1 / scale;
        Assert.Equal(inv * Math.Cos(-angle), m[0, 0], 5);
        Assert.Equal(-inv * Math.Sin(-angle), m[0, 1], 5);
        Assert.Equal(m[0, 0], m[1, 1], 9);
        Assert.Equal(-m[0, 1], m[1, 0], 9);
        for (int i = 0; i < 5; i++)
        {
            var p = src[i];
            Assert.InRange(m[0, 0] * p.X + m[0, 1] * p.Y + m[0, 2] - FaceAligner.ArcFaceTemplate[i].X, -1e-3, 1e-3);
            Assert.InRange(m[1, 0] * p.X + m[1, 1] * p.Y + m[1, 2] - FaceAligner.ArcFaceTemplate[i].Y, -1e-3, 1e-3);
        }
    }

    [Fact]
    public void EstimateSimilarity_NoisyPoints_EqualsUmeyamaReferenceWithinTolerance()
    {
        // Reference: Umeyama's closed form via SVD of the cross-covariance (what norm_crop's skimage transform does).
        var rng = new Random(7);
        var src = FaceAligner.ArcFaceTemplate.Select(p => new Point2f(p.X * 2.1f + 300 + (float)rng.NextDouble() * 6, p.Y * 2.3f + 80 + (float)rng.NextDouble() * 6)).ToArray();
        var ours = FaceAligner.EstimateSimilarity(src, FaceAligner.ArcFaceTemplate);
        var reference = Umeyama(src, FaceAligner.ArcFaceTemplate);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(reference[r, c], ours[r, c], 4);
    }

    [Fact]
    public void Align_TemplatePointsOfAnImage_GiveTheSameCropAtTemplateScale()
    {
        using var img = new Mat(112, 112, MatType.CV_8UC3);
        Cv2.Randu(img, Scalar.All(0), Scalar.All(255));
        using var crop = FaceAligner.Align(img, FaceAligner.ArcFaceTemplate);
        Assert.Equal(new Size(112, 112), crop.Size());
        using var diff = new Mat();
        Cv2.Absdiff(img, crop, diff);
        Assert.True(Cv2.Mean(diff).Val0 < 1.0, "identity alignment should reproduce the image");
    }

    private static double[,] Umeyama(Point2f[] src, Point2f[] dst)
    {
        int n = src.Length;
        double mxs = src.Average(p => p.X), mys = src.Average(p => p.Y), mxd = dst.Average(p => p.X), myd = dst.Average(p => p.Y);
        var cov = new double[2, 2];
        double varS = 0;
        for (int i = 0; i < n; i++)
        {
            double sx = src[i].X - mxs, sy = src[i].Y - mys, dx = dst[i].X - mxd, dy = dst[i].Y - myd;
            cov[0, 0] += dx * sx / n; cov[0, 1] += dx * sy / n; cov[1, 0] += dy * sx / n; cov[1, 1] += dy * sy / n;
            varS += (sx * sx + sy * sy) / n;
        }
        using var a = Mat.FromArray(cov);
        using var w = new Mat();
        using var u = new Mat();
        using var vt = new Mat();
        Cv2.SVDecomp(a, w, u, vt);
        double det = Cv2.Determinant(u) * Cv2.Determinant(vt);
        using var s = Mat.Eye(2, 2, MatType.CV_64F).ToMat();
        if (det < 0) s.Set(1, 1, -1.0);
        using var us = new Mat();
        using var r = new Mat();
        Cv2.Gemm(u, s, 1, new Mat(), 0, us);
        Cv2.Gemm(us, vt, 1, new Mat(), 0, r);
        double trace = w.At<double>(0) * s.At<double>(0, 0) + w.At<double>(1) * s.At<double>(1, 1);
        double scale = trace / varS;
        double r00 = r.At<double>(0, 0) * scale, r01 = r.At<double>(0, 1) * scale, r10 = r.At<double>(1, 0) * scale, r11 = r.At<double>(1, 1) * scale;
        return new double[,] { { r00, r01, mxd - (r00 * mxs + r01 * mys) }, { r10, r11, myd - (r10 * mxs + r11 * mys) } };
    }
}
