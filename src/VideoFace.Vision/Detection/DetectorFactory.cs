using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Detection;

/// <summary>Opens a face-detector ONNX file and picks the decoder from the model's inputs and outputs.</summary>
public static class DetectorFactory
{
    /// <summary>Creates the detector for <paramref name="path"/>; throws <see cref="ModelLoadException"/> when the file is not a supported detector.</summary>
    public static IFaceDetector Create(string path, OnnxSessionFactory sessions, VisionOptions options)
    {
        var session = sessions.Open(path);
        try
        {
            var outputs = session.OutputNames;
            if (outputs.Count == 2)
                return new UltraFaceDetector(session, path, options.DetectionThreshold, 0.3f, options.MinFaceSize);
            throw new ModelLoadException(path,
                $"not a supported face detector: expected UltraFace (2 outputs), found {outputs.Count} outputs ({string.Join(", ", outputs.Take(12))})");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
