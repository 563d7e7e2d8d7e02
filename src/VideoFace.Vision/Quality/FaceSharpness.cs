using OpenCvSharp;

namespace VideoFace.Vision.Quality;

/// <summary>
/// How sharp a face is, measured on its aligned crop (the pixels the embedder sees, so the measure does not depend on
/// how large the face was in the frame): the variance of the Laplacian of the grey crop's inner part. Motion blur,
/// defocus and heavy compression remove the fine edges the Laplacian responds to, and the ArcFace embedding of such a
/// face drifts toward every other blurred face.
/// </summary>
public static class FaceSharpness
{
    /// <summary>The border of the crop left out (fraction per side): the template puts background and hair there.</summary>
    public const double Margin = 0.125;

    /// <summary>Variance of the Laplacian of the grey inner crop; 0 for an empty or flat crop.</summary>
    public static float Measure(Mat alignedBgr)
    {
        if (alignedBgr.Empty()) return 0;
        int mx = (int)(alignedBgr.Width * Margin), my = (int)(alignedBgr.Height * Margin);
        using var inner = new Mat(alignedBgr, new Rect(mx, my, alignedBgr.Width - 2 * mx, alignedBgr.Height - 2 * my));
        using var grey = new Mat();
        if (inner.Channels() == 1) inner.CopyTo(grey);
        else Cv2.CvtColor(inner, grey, inner.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        using var laplacian = new Mat();
        Cv2.Laplacian(grey, laplacian, MatType.CV_32F);
        Cv2.MeanStdDev(laplacian, out _, out var std);
        var variance = (float)(std.Val0 * std.Val0);
        return float.IsFinite(variance) ? variance : 0;
    }
}
