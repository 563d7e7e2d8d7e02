using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Landmarks;

/// <summary>
/// The default pack's 68-point landmark model (fr_landmark.onnx): the box crop resized to 64×64 grey /256 in,
/// 68 (x, y) points relative to the box out; averaged to the 5 ArcFace points (eye centres from 4 points each,
/// nose tip, mouth corners from outer and inner lip corners) as the pack's own code does.
/// </summary>
public sealed class Fr68Landmarker : ILandmarker
{
    private const int Side = 64;
    private readonly InferenceSession _session;
    private readonly int _maxBatch;
    private readonly bool _batched;

    public Fr68Landmarker(InferenceSession session, string path, int maxBatch = 32)
    {
        var shape = session.ImageInputShape();
        if (shape.Length != 4 || shape[1] != 1 || shape[2] != Side || shape[3] != Side)
            throw new ModelLoadException(path, $"expected the 68-point landmark model (input [N,1,64,64]), found input [{string.Join(',', shape)}]");
        var outShape = session.OutputMetadata.Values.First().Dimensions;
        if (outShape.Length != 2 || outShape[1] != 136)
            throw new ModelLoadException(path, $"expected 136 landmark outputs, found [{string.Join(',', outShape)}]");
        _session = session;
        _batched = shape[0] != 1;
        _maxBatch = _batched ? maxBatch : 1;
    }

    public string Name => "fr_landmark68";

    public Point2f[][] Locate(Mat bgr, IReadOnlyList<FaceBox> boxes)
    {
        var result = new Point2f[boxes.Count][];
        for (int start = 0; start < boxes.Count; start += _maxBatch)
        {
            int n = Math.Min(_maxBatch, boxes.Count - start);
            var input = new float[n * Side * Side];
            var rects = new Rect[n];
            for (int i = 0; i < n; i++)
            {
                rects[i] = CropRect(boxes[start + i], bgr.Cols, bgr.Rows);
                using var roi = new Mat(bgr, rects[i]);
                using var small = roi.Resize(new Size(Side, Side));
                using var gray = small.CvtColor(ColorConversionCodes.BGR2GRAY);
                TensorFill.Gray(gray, input.AsSpan(i * Side * Side, Side * Side), 0f, 256f);
            }
            using var outputs = _session.RunFloat(input, [n, 1, Side, Side]);
            var pts = outputs[0].GetTensorDataAsSpan<float>();
            for (int i = 0; i < n; i++)
                result[start + i] = ToFivePoints(pts.Slice(i * 136, 136), rects[i]);
        }
        return result;
    }

    /// <summary>The crop the model was trained on: the box itself, shifted inside the image.</summary>
    public static Rect CropRect(FaceBox box, int width, int height)
    {
        int x = (int)box.X1, y = (int)box.Y1;
        int w = Math.Max(1, Math.Min((int)box.Width, width - 1)), h = Math.Max(1, Math.Min((int)box.Height, height - 1));
        x = Math.Clamp(x, 0, Math.Max(0, width - w));
        y = Math.Clamp(y, 0, Math.Max(0, height - h));
        return new Rect(x, y, w, h);
    }

    private static Point2f[] ToFivePoints(ReadOnlySpan<float> span, Rect r)
    {
        var p = span.ToArray();
        Point2f P(int i) => new(p[2 * i] * r.Width + r.X, p[2 * i + 1] * r.Height + r.Y);
        static Point2f Mean(params Point2f[] q) => new(q.Average(v => v.X), q.Average(v => v.Y));
        return
        [
            Mean(P(37), P(38), P(40), P(41)),
            Mean(P(43), P(44), P(46), P(47)),
            P(30),
            Mean(P(48), P(60)),
            Mean(P(54), P(64)),
        ];
    }

    public void Dispose() => _session.Dispose();
}
