using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>
/// RetinaFace (biubug6/Pytorch_Retinaface export, MobileNet-0.25 or ResNet-50): letterboxed BGR minus (104,117,123) in;
/// box deltas, softmaxed scores and landmark deltas over SSD-style priors out, decoded with variances 0.1/0.2.
/// </summary>
public sealed class RetinaFaceDetector : IFaceDetector
{
    /// <summary>Default minimum confidence.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>Default NMS IoU threshold, as Pytorch_Retinaface's detect.py uses.</summary>
    public const float DefaultNmsThreshold = 0.4f;

    /// <summary>Input side used when the model's height and width are free.</summary>
    public const int DefaultInputSize = 640;

    private const float Variance0 = 0.1f, Variance1 = 0.2f;
    private static readonly int[] Steps = [8, 16, 32];
    private static readonly int[][] MinSizes = [[16, 32], [64, 128], [256, 512]];
    // the training mean in BGR order; letterbox padding uses it too, as the training pre-processing pads with the mean
    private static readonly Scalar Mean = new(104, 117, 123);

    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly int _width, _height;
    private readonly int _locOut, _confOut, _landmOut;
    private readonly float[] _priors;
    private readonly float _threshold, _nms;
    private readonly int _minFace;

    /// <summary>Wraps an opened RetinaFace session; <paramref name="inputSize"/> (a multiple of 32) applies only to models with free height and width.</summary>
    public RetinaFaceDetector(InferenceSession session, string path, float? threshold = null, float nmsThreshold = DefaultNmsThreshold,
        int minFaceSize = 0, int? inputSize = null)
    {
        (_width, _height, _) = DetectorInput.Resolve(session.ImageInputShape(), path, inputSize, DefaultInputSize, 32);
        var names = session.OutputNames;
        _locOut = _confOut = _landmOut = -1;
        // the export names its heads output0/1/2; the last dimension says which is which
        for (int i = 0; i < names.Count; i++)
        {
            var dims = session.OutputMetadata[names[i]].Dimensions;
            switch (dims.Length == 0 ? 0 : dims[^1])
            {
                case 4: _locOut = i; break;
                case 2: _confOut = i; break;
                case 10: _landmOut = i; break;
            }
        }
        if (names.Count != 3 || _locOut < 0 || _confOut < 0 || _landmOut < 0)
            throw new ModelLoadException(path, $"expected a RetinaFace detector (outputs [1,P,4] boxes, [1,P,2] scores, [1,P,10] landmarks), found {names.Count} outputs ({string.Join(", ", names)})");
        _priors = Priors(_width, _height);
        _session = session;
        _path = path;
        _threshold = threshold ?? DefaultThreshold;
        _nms = nmsThreshold;
        _minFace = minFaceSize;
    }

    public string Name => "retinaface";

    public bool ProvidesKeypoints => true;

    /// <summary>The input (width, height) the model runs at.</summary>
    public Size InputSize => new(_width, _height);

    public IReadOnlyList<DetectedFace> Detect(Mat bgr)
    {
        using var lb = Letterbox.Fit(bgr, _width, _height, Mean);
        var input = new float[3 * _width * _height];
        FillMeanSubtracted(lb.Image, input);
        using var outputs = _session.RunFloat(input, [1, 3, _height, _width]);
        var loc = outputs[_locOut].GetTensorDataAsSpan<float>();
        var conf = outputs[_confOut].GetTensorDataAsSpan<float>();
        var landm = outputs[_landmOut].GetTensorDataAsSpan<float>();
        int n = _priors.Length / 4;
        if (loc.Length != 4 * n || conf.Length != 2 * n || landm.Length != 10 * n)
            throw new ModelLoadException(_path, $"expected {n} priors for a {_width}×{_height} input, got {loc.Length / 4} boxes, {conf.Length / 2} scores, {landm.Length / 10} landmark sets");
        // priors are normalised to the input; this maps them to source-image pixels in one step
        float sx = _width / lb.Scale, sy = _height / lb.Scale;
        var found = new List<DetectedFace>();
        for (int i = 0; i < n; i++)
        {
            float score = conf[2 * i + 1];
            if (score < _threshold) continue;
            float pcx = _priors[4 * i], pcy = _priors[4 * i + 1], pw = _priors[4 * i + 2], ph = _priors[4 * i + 3];
            float cx = pcx + loc[4 * i] * Variance0 * pw, cy = pcy + loc[4 * i + 1] * Variance0 * ph;
            float w = pw * MathF.Exp(loc[4 * i + 2] * Variance1), h = ph * MathF.Exp(loc[4 * i + 3] * Variance1);
            var box = new FaceBox((cx - w / 2) * sx, (cy - h / 2) * sy, (cx + w / 2) * sx, (cy + h / 2) * sy);
            if (Math.Min(box.Width, box.Height) < Math.Max(1, _minFace)) continue;
            var points = new Point2f[5];
            for (int k = 0; k < 5; k++)
                points[k] = new Point2f((pcx + landm[10 * i + 2 * k] * Variance0 * pw) * sx, (pcy + landm[10 * i + 2 * k + 1] * Variance0 * ph) * sy);
            found.Add(new DetectedFace(box, score, points));
        }
        return Nms.Apply(found, _nms);
    }

    public void Dispose() => _session.Dispose();

    /// <summary>
    /// The priors of Pytorch_Retinaface's PriorBox as (cx, cy, w, h) normalised to the input: per step, cells in row-major
    /// order, and for each cell its min_sizes innermost.
    /// </summary>
    internal static float[] Priors(int width, int height)
    {
        var priors = new List<float>();
        for (int level = 0; level < Steps.Length; level++)
        {
            int step = Steps[level];
            int rows = (height + step - 1) / step, cols = (width + step - 1) / step;
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    foreach (int min in MinSizes[level])
                    {
                        priors.Add((j + 0.5f) * step / width);
                        priors.Add((i + 0.5f) * step / height);
                        priors.Add((float)min / width);
                        priors.Add((float)min / height);
                    }
                }
            }
        }
        return [.. priors];
    }

    private static unsafe void FillMeanSubtracted(Mat bgr, Span<float> dst)
    {
        int h = bgr.Rows, w = bgr.Cols, plane = h * w;
        float m0 = (float)Mean.Val0, m1 = (float)Mean.Val1, m2 = (float)Mean.Val2;
        fixed (float* d = dst)
        {
            for (int y = 0; y < h; y++)
            {
                byte* row = (byte*)bgr.Ptr(y);
                int o = y * w;
                for (int x = 0; x < w; x++)
                {
                    byte* px = row + 3 * x;
                    d[o + x] = px[0] - m0;
                    d[plane + o + x] = px[1] - m1;
                    d[2 * plane + o + x] = px[2] - m2;
                }
            }
        }
    }
}
