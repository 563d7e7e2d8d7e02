using Microsoft.ML.OnnxRuntime;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>Opens a face-detector ONNX file and picks the decoder from the model's inputs and outputs.</summary>
public static class DetectorFactory
{
    private const string Expected =
        "UltraFace (2 outputs: scores, boxes), RetinaFace (3 outputs [1,P,4], [1,P,2], [1,P,10]), SCRFD (6, 9, 10 or 15 outputs) " +
        "or YuNet (12 outputs cls_S, obj_S, bbox_S, kps_S)";

    /// <summary>
    /// Creates the detector for <paramref name="path"/>; throws <see cref="ModelLoadException"/> when the file is not a supported detector.
    /// <paramref name="inputSize"/> (a multiple of 32) sets the input side of models with free height and width, e.g. 320 for a faster SCRFD.
    /// </summary>
    public static IFaceDetector Create(string path, OnnxSessionFactory sessions, VisionOptions options, int? inputSize = null)
    {
        inputSize ??= options.DetectionInputSize;
        var session = sessions.Open(path);
        try
        {
            var outputs = session.OutputNames;
            float? threshold = options.DetectionThreshold;
            int minFace = options.MinFaceSize;
            // Each detector keeps its upstream NMS overlap unless one is configured: UltraFace and YuNet 0.3, SCRFD and RetinaFace 0.4.
            var nms = options.NmsThreshold;
            if (outputs.Count == 2)
                return new UltraFaceDetector(session, path, threshold, nms ?? 0.3f, minFace);
            if (outputs.Count == 3 && IsRetinaFace(session))
                return new RetinaFaceDetector(session, path, threshold, nms ?? 0.4f, minFace, inputSize);
            if (outputs.Count == 12 && outputs.All(IsYuNetHead))
                return new YuNetDetector(session, path, threshold, nms ?? YuNetDetector.DefaultNmsThreshold, minFace, inputSize);
            if (outputs.Count is 6 or 9 or 10 or 15)
                return new ScrfdDetector(session, path, threshold, nms ?? 0.4f, minFace, inputSize);
            throw new ModelLoadException(path,
                $"not a supported face detector: expected {Expected}; found {outputs.Count} output(s) ({Describe(session)})");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static bool IsRetinaFace(InferenceSession session)
    {
        var last = session.OutputNames.Select(n => session.OutputMetadata[n].Dimensions).ToArray();
        return last.All(d => d.Length == 3) && last.Select(d => d[^1]).Order().SequenceEqual([2, 4, 10]);
    }

    private static bool IsYuNetHead(string name) =>
        name.StartsWith("cls_", StringComparison.Ordinal) || name.StartsWith("obj_", StringComparison.Ordinal)
        || name.StartsWith("bbox_", StringComparison.Ordinal) || name.StartsWith("kps_", StringComparison.Ordinal);

    private static string Describe(InferenceSession session) =>
        string.Join(", ", session.OutputNames.Take(16).Select(n => $"{n} [{string.Join(',', session.OutputMetadata[n].Dimensions)}]"));
}
