using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Tests;

/// <summary>One default-pack analyzer (real models from models/, fetched by setup) shared by a test class.</summary>
public sealed class AnalyzerFixture : IDisposable
{
    public AnalyzerFixture()
    {
        Options = new VisionOptions { ModelsDirectory = TestData.Models, Device = ExecutionDevice.Cpu };
        Analyzer = FaceAnalyzer.Create(Options);
    }

    public VisionOptions Options { get; }
    public FaceAnalyzer Analyzer { get; }

    public float[] EmbedLargest(string path)
    {
        using var img = Analyzer.Decoder.DecodeFile(path);
        var faces = Analyzer.Analyze(img, maxFaces: 1);
        Assert.True(faces.Count == 1, $"no face found in {path}");
        return faces[0].NormedEmbedding;
    }

    public void Dispose() => Analyzer.Dispose();
}
