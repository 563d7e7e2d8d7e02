using VideoFace.Vision.Embedding;
using VideoFace.Vision.Models;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Tests;

/// <summary>An InsightFace-style pack folder (SCRFD detector + ArcFace-style recogniser), built from the shared test models.</summary>
public sealed class InsightFacePackTests : IDisposable
{
    private readonly string _pack = Directory.CreateTempSubdirectory("vf-pack-").FullName;

    public InsightFacePackTests()
    {
        // the file names of buffalo_s; the contents are the small test models (SCRFD-500M and a 128-d MobileFaceNet)
        File.Copy(TestData.TestModel("det_500m.onnx"), Path.Combine(_pack, "det_500m.onnx"));
        File.Copy(TestData.TestModel("mobilefacenet_128d.onnx"), Path.Combine(_pack, "w600k_mbf.onnx"));
    }

    [Fact]
    public void Open_PackFolder_TellsDetectorAndRecogniserApartByTheirShapes()
    {
        var pack = InsightFacePack.Open(_pack);
        Assert.EndsWith("det_500m.onnx", pack.DetectorPath);
        Assert.EndsWith("w600k_mbf.onnx", pack.RecognizerPath);
    }

    [Fact]
    public void Analyzer_OnPack_UsesScrfdKeypointsAndSeparatesPeople()
    {
        using var analyzer = FaceAnalyzer.Create(new VisionOptions { InsightFacePack = _pack, ModelsDirectory = TestData.Models, Device = ExecutionDevice.Cpu });
        Assert.Equal("scrfd", analyzer.Detector.Name);
        Assert.Equal(128, analyzer.EmbeddingDimension);
        Assert.Contains("detector key points", analyzer.Description);
        float[] Embed(string person, int n)
        {
            using var img = analyzer.Decoder.DecodeFile(TestData.Face(person, n));
            return analyzer.Analyze(img, 1).Single().NormedEmbedding;
        }
        var a1 = Embed("Colin_Powell", 1);
        var a2 = Embed("Colin_Powell", 2);
        var b = Embed("Jennifer_Aniston", 1);
        Assert.True(Embeddings.Cosine(a1, a2) > Embeddings.Cosine(a1, b) + 0.2f);
        using var group = analyzer.Decoder.DecodeFile(TestData.Multiface("insightface-t1.jpg"));
        Assert.Equal(6, analyzer.Analyze(group).Count);
    }

    [Fact]
    public void Open_FolderWithoutRecogniser_SaysWhatIsMissing()
    {
        File.Delete(Path.Combine(_pack, "w600k_mbf.onnx"));
        var ex = Assert.Throws<ModelLoadException>(() => InsightFacePack.Open(_pack));
        Assert.Contains("recogniser", ex.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_pack, true); } catch (IOException) { }
    }
}
