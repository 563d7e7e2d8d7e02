using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>
/// UltraFace (Ultra-Light-Fast RFB-320, also the default pack's fr_detect.onnx): 320×240 RGB (x−127)/128 in,
/// softmaxed scores [1,N,2] and normalised corner boxes [1,N,4] out (priors decoded in the graph); no key points.
/// </summary>
public sealed class UltraFaceDetector : IFaceDetector
{
    /// <summary>Default minimum confidence, as upstream uses.</summary>
    public const float DefaultThreshold = 0.7f;

    private readonly InferenceSession _session;
    private readonly int _width, _height;
    private readonly float _threshold, _nms;
    private readonly int _minFace;

    public UltraFaceDetector(InferenceSession session, string path, float? threshold = null, float nmsThreshold = 0.3f, int minFaceSize = 0)
    {
        var shape = session.ImageInputShape();
        if (shape.Length != 4 || shape[1] != 3 || shape[2] <= 0 || shape[3] <= 0 || session.OutputNames.Count != 2)
            throw new ModelLoadException(path, $"expected an UltraFace detector (input [1,3,H,W], outputs scores and boxes), found input [{string.Join(',', shape)}] and {session.OutputNames.Count} outputs");
        _session = session;
        _height = shape[2];
        _width = shape[3];
        _threshold = threshold ?? DefaultThreshold;
        _nms = nmsThreshold;
        _minFace = minFaceSize;
    }

    public string Name => "ultraface";

    public bool ProvidesKeypoints => false;

    public IReadOnlyList<DetectedFace> Detect(Mat bgr)
    {
        var input = new float[3 * _width * _height];
        using (var resized = bgr.Resize(new Size(_width, _height)))
            TensorFill.Chw(resized, input, PixelNormalization.Rgb127Over128);
        using var outputs = _session.RunFloat(input, [1, 3, _height, _width]);
        int iScores = _session.OutputNames[1] == "scores" ? 1 : 0;
        var scores = outputs[iScores].GetTensorDataAsSpan<float>();
        var boxes = outputs[1 - iScores].GetTensorDataAsSpan<float>();
        int n = scores.Length / 2;
        var found = new List<DetectedFace>();
        for (int i = 0; i < n; i++)
        {
            float score = scores[2 * i + 1];
            if (score < _threshold) continue;
            var box = new FaceBox(boxes[4 * i] * bgr.Cols, boxes[4 * i + 1] * bgr.Rows, boxes[4 * i + 2] * bgr.Cols, boxes[4 * i + 3] * bgr.Rows)
                .Clip(bgr.Cols, bgr.Rows);
            if (Math.Min(box.Width, box.Height) < Math.Max(1, _minFace)) continue;
            found.Add(new DetectedFace(box, score));
        }
        return Nms.Apply(found, _nms);
    }

    public void Dispose() => _session.Dispose();
}
