using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>
/// YuNet (libfacedetection / OpenCV FaceDetectorYN, 2023mar and later): BGR 0–255 in; per stride cls, obj, box and
/// 5 key points for one anchor per cell, decoded as OpenCV 4.8+ does.
/// </summary>
public sealed class YuNetDetector : IFaceDetector
{
    /// <summary>Default minimum confidence, as OpenCV's FaceDetectorYN sample uses.</summary>
    public const float DefaultThreshold = 0.6f;

    /// <summary>Default NMS IoU threshold, as OpenCV's FaceDetectorYN uses.</summary>
    public const float DefaultNmsThreshold = 0.3f;

    /// <summary>Longer input side used when the model's height and width are free.</summary>
    public const int DefaultInputSize = 640;

    // raw pixels: the network normalises internally
    private static readonly PixelNormalization Normalization = new(0f, 1f, false);

    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly int _width, _height;
    private readonly bool _dynamic;
    private readonly int[] _strides;
    private readonly int[] _cls, _obj, _box, _kps;
    private readonly float _threshold, _nms;
    private readonly int _minFace;

    /// <summary>
    /// Wraps an opened YuNet session. For a model with free height and width, <paramref name="inputSize"/> (a multiple of 32)
    /// is the longer side of the input; the shorter follows the image's aspect ratio, rounded up to a multiple of 32.
    /// </summary>
    public YuNetDetector(InferenceSession session, string path, float? threshold = null, float nmsThreshold = DefaultNmsThreshold,
        int minFaceSize = 0, int? inputSize = null)
    {
        (_width, _height, _dynamic) = DetectorInput.Resolve(session.ImageInputShape(), path, inputSize, DefaultInputSize, 32);
        var heads = new Dictionary<string, SortedDictionary<int, int>>(StringComparer.Ordinal)
        {
            ["cls"] = [], ["obj"] = [], ["bbox"] = [], ["kps"] = [],
        };
        var names = session.OutputNames;
        for (int i = 0; i < names.Count; i++)
        {
            int us = names[i].LastIndexOf('_');
            if (us <= 0 || !heads.TryGetValue(names[i][..us], out var byStride)
                || !int.TryParse(names[i].AsSpan(us + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int stride) || stride <= 0)
                throw new ModelLoadException(path, $"expected a YuNet detector (outputs cls_S, obj_S, bbox_S, kps_S per stride S), found output '{names[i]}'");
            byStride[stride] = i;
        }
        _strides = [.. heads["cls"].Keys];
        if (_strides.Length == 0 || heads.Values.Any(h => !h.Keys.SequenceEqual(_strides)))
            throw new ModelLoadException(path, $"expected a YuNet detector with cls_, obj_, bbox_ and kps_ outputs for the same strides, found {string.Join(", ", names)}");
        _cls = [.. heads["cls"].Values];
        _obj = [.. heads["obj"].Values];
        _box = [.. heads["bbox"].Values];
        _kps = [.. heads["kps"].Values];
        _session = session;
        _path = path;
        _threshold = threshold ?? DefaultThreshold;
        _nms = nmsThreshold;
        _minFace = minFaceSize;
    }

    public string Name => "yunet";

    public bool ProvidesKeypoints => true;

    /// <summary>The input (width, height) of a fixed-size model, or the longest (square) one of a model with free height and width.</summary>
    public Size InputSize => new(_width, _height);

    public IReadOnlyList<DetectedFace> Detect(Mat bgr)
    {
        var size = _dynamic ? Letterbox.FitDynamic(bgr, _width, 32) : new Size(_width, _height);
        // zero padding at the bottom-right, as FaceDetectorYN pads to a multiple of 32
        using var lb = Letterbox.Fit(bgr, size.Width, size.Height, Scalar.All(0));
        var input = new float[3 * size.Width * size.Height];
        TensorFill.Chw(lb.Image, input, Normalization);
        using var outputs = _session.RunFloat(input, [1, 3, size.Height, size.Width]);
        var found = new List<DetectedFace>();
        float inv = 1f / lb.Scale;
        for (int level = 0; level < _strides.Length; level++)
        {
            int s = _strides[level];
            int cols = size.Width / s, rows = size.Height / s, n = rows * cols;
            var cls = outputs[_cls[level]].GetTensorDataAsSpan<float>();
            var obj = outputs[_obj[level]].GetTensorDataAsSpan<float>();
            var box = outputs[_box[level]].GetTensorDataAsSpan<float>();
            var kps = outputs[_kps[level]].GetTensorDataAsSpan<float>();
            if (cls.Length != n || obj.Length != n || box.Length != 4 * n || kps.Length != 10 * n)
                throw new ModelLoadException(_path, $"stride {s}: expected {n} cells (cls, obj ×1, bbox ×4, kps ×10), got {cls.Length}, {obj.Length}, {box.Length}, {kps.Length} values");
            for (int idx = 0; idx < n; idx++)
            {
                float score = MathF.Sqrt(Math.Clamp(cls[idx], 0f, 1f) * Math.Clamp(obj[idx], 0f, 1f));
                if (score < _threshold) continue;
                int r = idx / cols, c = idx % cols;
                float cx = (c + box[4 * idx]) * s, cy = (r + box[4 * idx + 1]) * s;
                float w = MathF.Exp(box[4 * idx + 2]) * s, h = MathF.Exp(box[4 * idx + 3]) * s;
                var face = new FaceBox((cx - w / 2) * inv, (cy - h / 2) * inv, (cx + w / 2) * inv, (cy + h / 2) * inv);
                if (Math.Min(face.Width, face.Height) < Math.Max(1, _minFace)) continue;
                var points = new Point2f[5];
                for (int k = 0; k < 5; k++)
                    points[k] = new Point2f((kps[10 * idx + 2 * k] + c) * s * inv, (kps[10 * idx + 2 * k + 1] + r) * s * inv);
                found.Add(new DetectedFace(face, score, points));
            }
        }
        return Nms.Apply(found, _nms);
    }

    public void Dispose() => _session.Dispose();
}
