using OpenCvSharp;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>An image scaled to fit a detector input with its aspect ratio kept, placed at the top-left and padded.</summary>
internal sealed class Letterbox : IDisposable
{
    private Letterbox(Mat image, float scale)
    {
        Image = image;
        Scale = scale;
    }

    /// <summary>The padded image of exactly the requested input size.</summary>
    public Mat Image { get; }

    /// <summary>Input pixels per source pixel; divide detector coordinates by it to map back to the source image.</summary>
    public float Scale { get; }

    /// <summary>
    /// Fits <paramref name="bgr"/> into <paramref name="width"/>×<paramref name="height"/> the way InsightFace's
    /// SCRFD.detect does (same rounding, so boxes match it to the pixel): the side that binds is filled, the other
    /// truncated to an integer, and the rest is <paramref name="pad"/>.
    /// </summary>
    public static Letterbox Fit(Mat bgr, int width, int height, Scalar pad)
    {
        RequireImage(bgr);
        float imRatio = (float)bgr.Rows / bgr.Cols;
        float modelRatio = (float)height / width;
        int newW, newH;
        if (imRatio > modelRatio)
        {
            newH = height;
            newW = Math.Max(1, (int)(newH / imRatio));
        }
        else
        {
            newW = width;
            newH = Math.Max(1, (int)(newW * imRatio));
        }
        float scale = (float)newH / bgr.Rows;
        var canvas = new Mat(height, width, MatType.CV_8UC3, pad);
        // resizing straight into the ROI avoids a second copy: the ROI already has the destination size and type
        using (var roi = new Mat(canvas, new Rect(0, 0, newW, newH)))
            Cv2.Resize(bgr, roi, new Size(newW, newH), 0, 0, InterpolationFlags.Linear);
        return new Letterbox(canvas, scale);
    }

    /// <summary>
    /// The input size for a model with free height and width: the longer image side scaled to <paramref name="maxSide"/>,
    /// the shorter one rounded up to a multiple of <paramref name="multiple"/>, so a 16:9 frame does not pay for a square input.
    /// </summary>
    public static Size FitDynamic(Mat bgr, int maxSide, int multiple)
    {
        RequireImage(bgr);
        float s = (float)maxSide / Math.Max(bgr.Rows, bgr.Cols);
        int w = RoundUp((int)Math.Ceiling(bgr.Cols * s - 1e-3), multiple);
        int h = RoundUp((int)Math.Ceiling(bgr.Rows * s - 1e-3), multiple);
        return new Size(Math.Min(w, RoundUp(maxSide, multiple)), Math.Min(h, RoundUp(maxSide, multiple)));
    }

    private static int RoundUp(int v, int multiple) => Math.Max(multiple, (v + multiple - 1) / multiple * multiple);

    private static void RequireImage(Mat bgr)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        if (bgr.Empty() || bgr.Rows < 1 || bgr.Cols < 1) throw new ArgumentException("the image is empty", nameof(bgr));
        if (bgr.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit 3-channel BGR image, got {bgr.Type()}", nameof(bgr));
    }

    public void Dispose() => Image.Dispose();
}

/// <summary>Resolves the input size a detector runs at from the model's declared input and an optional request.</summary>
internal static class DetectorInput
{
    /// <summary>
    /// (width, height) of the model input: the model's own when fixed (a requested size cannot change a static graph),
    /// else the requested square size, else <paramref name="fallback"/>; Dynamic says whether the graph takes any size.
    /// </summary>
    public static (int Width, int Height, bool Dynamic) Resolve(int[] shape, string path, int? requested, int fallback, int multiple)
    {
        if (shape.Length != 4 || shape[1] != 3)
            throw new ModelLoadException(path, $"expected an image input [N,3,H,W], found [{string.Join(',', shape)}]");
        if (requested is { } r && (r < multiple || r % multiple != 0))
            throw new ArgumentOutOfRangeException(nameof(requested), r, $"the detection input size must be a positive multiple of {multiple}");
        if (shape[2] > 0 && shape[3] > 0) return (shape[3], shape[2], false);
        int size = requested ?? fallback;
        return (size, size, true);
    }
}
