using Microsoft.ML.OnnxRuntime;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Models;

/// <summary>
/// An InsightFace model-pack folder (buffalo_l, buffalo_s, antelopev2 or user-supplied). Files are told apart by
/// their inputs and outputs as InsightFace's model zoo does: 5+ outputs = SCRFD detector, square input ≥ 112 with
/// one output = ArcFace recogniser; landmark and gender/age models are not used here.
/// </summary>
public sealed class InsightFacePack
{
    public required string Directory { get; init; }
    public required string DetectorPath { get; init; }
    public required string RecognizerPath { get; init; }

    /// <summary>The recogniser's input normalisation: InsightFace uses mean 0 / std 1 when the graph starts with its own Sub/Mul, else 127.5/127.5.</summary>
    public required PixelNormalization RecognizerNormalization { get; init; }

    /// <summary>Scans the folder; throws <see cref="ModelLoadException"/> naming what is missing.</summary>
    public static InsightFacePack Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new ModelLoadException(directory, "InsightFace pack folder not found");
        string? detector = null, recognizer = null;
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        foreach (var file in System.IO.Directory.GetFiles(directory, "*.onnx").Order(StringComparer.Ordinal))
        {
            try
            {
                using var s = new InferenceSession(file, options);
                var input = s.InputMetadata.Values.First().Dimensions;
                if (s.OutputMetadata.Count >= 5) detector ??= file;
                else if (input.Length == 4 && input[2] == input[3] && input[2] >= 112 && input[2] % 16 == 0 && s.OutputMetadata.Count == 1)
                    recognizer ??= file;
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelLoadException(file, "cannot be loaded as an ONNX model: " + ex.Message.Split('\n')[0], ex);
            }
        }
        if (detector is null) throw new ModelLoadException(directory, "no SCRFD detector (an .onnx with 6, 9 or 15 outputs) in the pack");
        if (recognizer is null) throw new ModelLoadException(directory, "no ArcFace recogniser (an .onnx with input [N,3,112,112] and one output) in the pack");
        return new InsightFacePack
        {
            Directory = directory,
            DetectorPath = detector,
            RecognizerPath = recognizer,
            RecognizerNormalization = OnnxGraphRewriter.StartsWithNormalization(File.ReadAllBytes(recognizer))
                ? new PixelNormalization(0f, 1f, true)
                : PixelNormalization.ArcFace,
        };
    }
}
