using OpenCvSharp;

namespace VideoFace.Vision.Quality;

/// <summary>
/// A cheap appearance print of a face: its aligned crop's inner part (the same part <see cref="FaceSharpness"/> reads)
/// shrunk to <see cref="Side"/>×<see cref="Side"/> grey pixels, with its mean taken out and scaled to unit length. The
/// dot product of two prints is the correlation of the two faces' coarse light-and-shade pattern: close to 1 for the
/// same face a moment later (alignment already cancels position, size and roll), lower when someone else stands in
/// the same spot. Costs a resize of a 112-pixel crop, against an embedder run for the embedding; it lets a camera skip
/// the embedding of a face that has not changed since its track's last embedded one.
/// </summary>
public static class FaceThumbprint
{
    /// <summary>Side of the print in pixels (its length is Side²).</summary>
    public const int Side = 16;

    /// <summary>The print of an aligned BGR (or grey) crop; all zeros for an empty or flat crop (alike to nothing).</summary>
    public static float[] Measure(Mat alignedBgr)
    {
        var print = new float[Side * Side];
        if (alignedBgr.Empty()) return print;
        int mx = (int)(alignedBgr.Width * FaceSharpness.Margin), my = (int)(alignedBgr.Height * FaceSharpness.Margin);
        using var inner = new Mat(alignedBgr, new Rect(mx, my, alignedBgr.Width - 2 * mx, alignedBgr.Height - 2 * my));
        using var grey = new Mat();
        if (inner.Channels() == 1) inner.CopyTo(grey);
        else Cv2.CvtColor(inner, grey, inner.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        using var small = new Mat();
        Cv2.Resize(grey, small, new Size(Side, Side), interpolation: InterpolationFlags.Area);
        double sum = 0;
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                float v = small.At<byte>(y, x);
                print[y * Side + x] = v;
                sum += v;
            }
        float mean = (float)(sum / print.Length);
        double norm = 0;
        for (int i = 0; i < print.Length; i++)
        {
            print[i] -= mean;
            norm += print[i] * print[i];
        }
        if (!(norm > 1e-6))
        {
            Array.Clear(print);
            return print;
        }
        float scale = (float)(1 / Math.Sqrt(norm));
        for (int i = 0; i < print.Length; i++) print[i] *= scale;
        return print;
    }

    /// <summary>Correlation of two prints in [−1, 1]; 0 when either is missing, flat or of another length.</summary>
    public static float Likeness(float[]? a, float[]? b)
    {
        if (a is null || b is null || a.Length != b.Length || a.Length == 0) return 0;
        double dot = 0;
        for (int i = 0; i < a.Length; i++) dot += a[i] * b[i];
        return float.IsFinite((float)dot) ? Math.Clamp((float)dot, -1, 1) : 0;
    }
}
