using Microsoft.ML.OnnxRuntime;

namespace VideoFace.Vision.Onnx;

/// <summary>Small helpers over <see cref="InferenceSession"/> for single-input models.</summary>
public static class SessionExtensions
{
    /// <summary>The name of the model's image input (the first graph input that is not an initializer).</summary>
    public static string ImageInputName(this InferenceSession session) => session.InputMetadata.Keys.First();

    /// <summary>The declared input dimensions (−1 where symbolic).</summary>
    public static int[] ImageInputShape(this InferenceSession session) => session.InputMetadata.Values.First().Dimensions;

    /// <summary>Runs the model on one float tensor and returns all outputs in declaration order.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> RunFloat(this InferenceSession session, float[] data, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var options = new RunOptions();
        return session.Run(options, [session.ImageInputName()], [input], session.OutputNames);
    }
}
