using OpenCvSharp;

namespace VideoFace.Vision.Imaging;

/// <summary>Pixel normalisation of a model input: value = (pixel − Mean) / Std, in RGB or BGR channel order.</summary>
public readonly record struct PixelNormalization(float Mean, float Std, bool Rgb)
{
    /// <summary>UltraFace and the default pack's embedder: RGB, (x − 127) / 128.</summary>
    public static readonly PixelNormalization Rgb127Over128 = new(127f, 128f, true);

    /// <summary>InsightFace ArcFace / SCRFD: RGB, (x − 127.5) / 128 for SCRFD, / 127.5 for ArcFace.</summary>
    public static readonly PixelNormalization ArcFace = new(127.5f, 127.5f, true);
}

/// <summary>Writes images into planar (NCHW) float tensors.</summary>
public static class TensorFill
{
    /// <summary>Writes a BGR 8-bit 3-channel image of exactly the tensor's width × height into <paramref name="dst"/> (3·h·w floats, CHW).</summary>
    public static unsafe void Chw(Mat bgr, Span<float> dst, PixelNormalization norm)
    {
        if (bgr.Type() != MatType.CV_8UC3) throw new ArgumentException("expected an 8-bit 3-channel BGR image", nameof(bgr));
        int h = bgr.Rows, w = bgr.Cols, plane = h * w;
        if (dst.Length < 3 * plane) throw new ArgumentException("tensor buffer too small", nameof(dst));
        float scale = 1f / norm.Std, mean = norm.Mean;
        // channel planes in model order: RGB models read B from plane 2
        int pb = norm.Rgb ? 2 : 0, pr = norm.Rgb ? 0 : 2;
        fixed (float* d = dst)
        {
            for (int y = 0; y < h; y++)
            {
                byte* row = (byte*)bgr.Ptr(y);
                int o = y * w;
                for (int x = 0; x < w; x++)
                {
                    byte* px = row + 3 * x;
                    d[pb * plane + o + x] = (px[0] - mean) * scale;
                    d[plane + o + x] = (px[1] - mean) * scale;
                    d[pr * plane + o + x] = (px[2] - mean) * scale;
                }
            }
        }
    }

    /// <summary>Writes an 8-bit single-channel image into <paramref name="dst"/> as (x − mean) / std.</summary>
    public static unsafe void Gray(Mat gray, Span<float> dst, float mean, float std)
    {
        if (gray.Type() != MatType.CV_8UC1) throw new ArgumentException("expected an 8-bit grey image", nameof(gray));
        int h = gray.Rows, w = gray.Cols;
        float scale = 1f / std;
        for (int y = 0; y < h; y++)
        {
            byte* row = (byte*)gray.Ptr(y);
            for (int x = 0; x < w; x++) dst[y * w + x] = (row[x] - mean) * scale;
        }
    }
}
