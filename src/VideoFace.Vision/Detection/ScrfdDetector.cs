using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>
/// InsightFace SCRFD (det_500m, det_10g, scrfd_*_bnkps …), decoded as InsightFace's model_zoo scrfd.py does:
/// letterboxed RGB (x−127.5)/128 in; per stride a score, a (l,t,r,b) distance box and optionally 5 key points per anchor.
/// Boxes are left unclipped, as InsightFace leaves them, so a face cut by the image border keeps its true extent.
/// </summary>
public sealed partial class ScrfdDetector : IFaceDetector
{
    /// <summary>Default minimum confidence, as InsightFace's FaceAnalysis uses.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>Default NMS IoU threshold, as scrfd.py uses.</summary>
    public const float DefaultNmsThreshold = 0.4f;

    /// <summary>Input side used when the model's height and width are free (InsightFace's det_size).</summary>
    public const int DefaultInputSize = 640;

    // InsightFace: input_mean 127.5, input_std 128, swapRB
    private static readonly PixelNormalization Normalization = new(127.5f, 128f, true);

    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly int _width, _height;
    private readonly int[] _strides;
    private readonly int[] _scoreOut, _boxOut;
    private readonly int[]? _kpsOut;
    private readonly float _threshold, _nms;
    private readonly int _minFace;

    /// <summary>Wraps an opened SCRFD session; <paramref name="inputSize"/> (a multiple of 32) applies only to models with free height and width.</summary>
    public ScrfdDetector(InferenceSession session, string path, float? threshold = null, float nmsThreshold = DefaultNmsThreshold,
        int minFaceSize = 0, int? inputSize = null)
    {
        (_width, _height, _) = DetectorInput.Resolve(session.ImageInputShape(), path, inputSize, DefaultInputSize, 32);
        var names = session.OutputNames;
        // InsightFace tells the variants apart by output count: 3 strides with 2 anchors, or 5 strides with 1
        (int fmc, bool kps) = names.Count switch
        {
            6 => (3, false),
            9 => (3, true),
            10 => (5, false),
            15 => (5, true),
            _ => throw new ModelLoadException(path, $"expected an SCRFD detector with 6, 9, 10 or 15 outputs, found {names.Count}"),
        };
        _strides = fmc == 3 ? [8, 16, 32] : [8, 16, 32, 64, 128];
        _scoreOut = new int[fmc];
        _boxOut = new int[fmc];
        _kpsOut = kps ? new int[fmc] : null;
        if (!MapByName(names, _strides, _scoreOut, _boxOut, _kpsOut))
        {
            // numeric names (det_500m.onnx, det_10g.onnx): InsightFace's positional order, scores then boxes then key points
            for (int i = 0; i < fmc; i++)
            {
                _scoreOut[i] = i;
                _boxOut[i] = i + fmc;
                if (_kpsOut is not null) _kpsOut[i] = i + 2 * fmc;
            }
        }
        CheckLastDims(session, path);
        _session = session;
        _path = path;
        _threshold = threshold ?? DefaultThreshold;
        _nms = nmsThreshold;
        _minFace = minFaceSize;
    }

    public string Name => "scrfd";

    public bool ProvidesKeypoints => _kpsOut is not null;

    /// <summary>The input (width, height) the model runs at.</summary>
    public Size InputSize => new(_width, _height);

    public IReadOnlyList<DetectedFace> Detect(Mat bgr)
    {
        using var lb = Letterbox.Fit(bgr, _width, _height, Scalar.All(0));
        var input = new float[3 * _width * _height];
        TensorFill.Chw(lb.Image, input, Normalization);
        using var outputs = _session.RunFloat(input, [1, 3, _height, _width]);
        var found = new List<DetectedFace>();
        float inv = 1f / lb.Scale;
        for (int level = 0; level < _strides.Length; level++)
        {
            int stride = _strides[level];
            var scores = outputs[_scoreOut[level]].GetTensorDataAsSpan<float>();
            var boxes = outputs[_boxOut[level]].GetTensorDataAsSpan<float>();
            var kps = _kpsOut is null ? default : outputs[_kpsOut[level]].GetTensorDataAsSpan<float>();
            int gw = _width / stride, gh = _height / stride;
            int n = scores.Length;
            if (n == 0 || n % (gw * gh) != 0 || boxes.Length != 4 * n || (_kpsOut is not null && kps.Length != 10 * n))
                throw new ModelLoadException(_path, $"stride {stride}: expected scores [k·{gh}·{gw}], boxes ×4 and key points ×10, got {n}, {boxes.Length}, {kps.Length} values");
            int anchors = n / (gw * gh);
            for (int i = 0; i < n; i++)
            {
                float score = scores[i];
                if (score < _threshold) continue;
                // anchors of one cell are consecutive; cells run row-major with x = col·stride, y = row·stride (no half-cell offset)
                int cell = i / anchors;
                float cx = cell % gw * stride, cy = cell / gw * stride;
                var box = new FaceBox(
                    (cx - boxes[4 * i] * stride) * inv,
                    (cy - boxes[4 * i + 1] * stride) * inv,
                    (cx + boxes[4 * i + 2] * stride) * inv,
                    (cy + boxes[4 * i + 3] * stride) * inv);
                if (Math.Min(box.Width, box.Height) < Math.Max(1, _minFace)) continue;
                Point2f[]? points = null;
                if (_kpsOut is not null)
                {
                    points = new Point2f[5];
                    for (int k = 0; k < 5; k++)
                        points[k] = new Point2f((cx + kps[10 * i + 2 * k] * stride) * inv, (cy + kps[10 * i + 2 * k + 1] * stride) * inv);
                }
                found.Add(new DetectedFace(box, score, points));
            }
        }
        return Nms.Apply(found, _nms);
    }

    public void Dispose() => _session.Dispose();

    // Upstream exports name their heads score_8, bbox_8, kps_8 …; such names are trusted over declaration order.
    private static bool MapByName(IReadOnlyList<string> names, int[] strides, int[] score, int[] box, int[]? kps)
    {
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!HeadName().IsMatch(names[i])) return false;
            byName[names[i]] = i;
        }
        for (int l = 0; l < strides.Length; l++)
        {
            if (!byName.TryGetValue($"score_{strides[l]}", out score[l]) || !byName.TryGetValue($"bbox_{strides[l]}", out box[l]))
                return false;
            if (kps is not null && !byName.TryGetValue($"kps_{strides[l]}", out kps[l])) return false;
        }
        return true;
    }

    private void CheckLastDims(InferenceSession session, string path)
    {
        for (int l = 0; l < _strides.Length; l++)
        {
            Expect(_scoreOut[l], 1);
            Expect(_boxOut[l], 4);
            if (_kpsOut is not null) Expect(_kpsOut[l], 10);
        }

        void Expect(int output, int last)
        {
            var dims = session.OutputMetadata[session.OutputNames[output]].Dimensions;
            if (dims.Length is < 2 or > 3 || (dims[^1] > 0 && dims[^1] != last))
                throw new ModelLoadException(path, $"SCRFD output '{session.OutputNames[output]}' should be [N,{last}] or [1,N,{last}], found [{string.Join(',', dims)}]");
        }
    }

    [GeneratedRegex(@"^(score|bbox|kps)_\d+$")]
    private static partial Regex HeadName();
}
