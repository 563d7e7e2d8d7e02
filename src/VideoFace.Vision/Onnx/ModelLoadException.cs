namespace VideoFace.Vision.Onnx;

/// <summary>A model file is missing, corrupt or not the model that was expected. The message names the file and what was expected.</summary>
public sealed class ModelLoadException(string path, string message, Exception? inner = null)
    : Exception($"model '{path}': {message}", inner)
{
    public string ModelPath { get; } = path;
}
