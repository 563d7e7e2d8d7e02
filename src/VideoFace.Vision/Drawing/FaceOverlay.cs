using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Vision.Drawing;

/// <summary>A face to draw: its box, the name (null = unknown) and the similarity to the nearest enrolled person.</summary>
public readonly record struct LabelledFace(FaceBox Box, string? Name, float Similarity);

/// <summary>
/// Draws the seed demo's overlay: a coloured box and name label for known faces, a black box for unknown ones,
/// and a similarity bar under each box (full width = similarity 1).
/// </summary>
public static class FaceOverlay
{
    private static readonly Scalar Known = new(80, 200, 60);
    private static readonly Scalar Unknown = new(0, 0, 0);
    private static readonly Scalar BarBack = new(60, 60, 60);

    public static void Draw(Mat bgr, IEnumerable<LabelledFace> faces)
    {
        int thickness = Math.Max(2, bgr.Cols / 400);
        double fontScale = Math.Max(0.5, bgr.Cols / 1600.0);
        foreach (var f in faces)
        {
            var box = f.Box.Clip(bgr.Cols - 1, bgr.Rows - 1);
            var rect = new Rect((int)box.X1, (int)box.Y1, Math.Max(1, (int)box.Width), Math.Max(1, (int)box.Height));
            var colour = f.Name is null ? Unknown : Known;
            Cv2.Rectangle(bgr, rect, colour, thickness);
            // a white outline keeps the black "unknown" box visible on dark footage
            if (f.Name is null) Cv2.Rectangle(bgr, new Rect(rect.X - thickness, rect.Y - thickness, rect.Width + 2 * thickness, rect.Height + 2 * thickness), Scalar.White, 1);

            var label = f.Name is null ? "unknown" : $"{f.Name} {f.Similarity:0.00}";
            var size = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, fontScale, 1, out int baseline);
            int ly = rect.Y - size.Height - baseline - 4 >= 0 ? rect.Y - size.Height - baseline - 4 : rect.Bottom + 2;
            Cv2.Rectangle(bgr, new Rect(rect.X, ly, size.Width + 6, size.Height + baseline + 4), colour, -1);
            Cv2.PutText(bgr, label, new Point(rect.X + 3, ly + size.Height + 2), HersheyFonts.HersheySimplex, fontScale,
                Scalar.White, 1, LineTypes.AntiAlias);

            int barY = Math.Min(bgr.Rows - 6, rect.Bottom + thickness + 2);
            int barH = Math.Max(4, thickness * 2);
            Cv2.Rectangle(bgr, new Rect(rect.X, barY, rect.Width, barH), BarBack, -1);
            int filled = (int)(rect.Width * Math.Clamp(f.Similarity, 0f, 1f));
            if (filled > 0) Cv2.Rectangle(bgr, new Rect(rect.X, barY, filled, barH), f.Name is null ? new Scalar(0, 0, 200) : Known, -1);
        }
    }
}
