using OpenCvSharp;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Landmarks;
using VideoFace.Vision.Models;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Tests;

public sealed class ModelTests
{
    private readonly OnnxSessionFactory _sessions = new(new VisionOptions { Device = ExecutionDevice.Cpu, IntraOpThreads = 2 });

    [Fact]
    public void Catalog_DefaultPack_IsFetchedAndVerified()
    {
        var catalog = ModelCatalog.Load(TestData.Models);
        foreach (var role in new[] { "detector", "landmarker", "embedder" })
            Assert.True(File.Exists(catalog.DefaultModelPath(role)));
    }

    [Fact]
    public void Catalog_AlteredModelFile_ErrorNamesFileAndExpectedHash()
    {
        var dir = Directory.CreateTempSubdirectory("vf-models-").FullName;
        File.Copy(Path.Combine(TestData.Models, "manifest.json"), Path.Combine(dir, "manifest.json"));
        File.WriteAllBytes(Path.Combine(dir, "fr_feature.onnx"), [1, 2, 3]);
        var ex = Assert.Throws<ModelLoadException>(() => ModelCatalog.Load(dir).DefaultModelPath("embedder"));
        Assert.Contains("fr_feature.onnx", ex.Message);
        Assert.Contains("SHA-256", ex.Message);
        var missing = Assert.Throws<ModelLoadException>(() => ModelCatalog.Load(dir).DefaultModelPath("detector"));
        Assert.Contains("fr_detect.onnx", missing.Message);
        Assert.Contains("missing", missing.Message);
    }

    [Fact]
    public void Open_CorruptFile_ErrorNamesFile()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vf-bad-").FullName, "garbage.onnx");
        File.WriteAllBytes(path, Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919)).ToArray());
        var ex = Assert.Throws<ModelLoadException>(() => _sessions.Open(path));
        Assert.Contains("garbage.onnx", ex.Message);
        var ex2 = Assert.Throws<ModelLoadException>(() => _sessions.Open(path, dynamicBatch: true));
        Assert.Contains("garbage.onnx", ex2.Message);
    }

    [Fact]
    public void Open_MissingFile_ErrorNamesFile()
    {
        var ex = Assert.Throws<ModelLoadException>(() => _sessions.Open("/nowhere/fr_feature.onnx"));
        Assert.Contains("/nowhere/fr_feature.onnx", ex.Message);
    }

    [Fact]
    public void Embedder_GivenTheLandmarkModel_SaysWhatWasExpected()
    {
        var path = Path.Combine(TestData.Models, "fr_landmark.onnx");
        var ex = Assert.Throws<ModelLoadException>(() => new ArcFaceEmbedder(_sessions.Open(path), path, PixelNormalization.Rgb127Over128));
        Assert.Contains("fr_landmark.onnx", ex.Message);
        Assert.Contains("[N,3,S,S]", ex.Message);
    }

    [Fact]
    public void Landmarker_GivenTheEmbedder_SaysWhatWasExpected()
    {
        var path = Path.Combine(TestData.Models, "fr_feature.onnx");
        var ex = Assert.Throws<ModelLoadException>(() => new Fr68Landmarker(_sessions.Open(path), path));
        Assert.Contains("fr_feature.onnx", ex.Message);
        Assert.Contains("64,64", ex.Message);
    }

    [Theory]
    [InlineData("fr_feature.onnx", true)]
    [InlineData("mobilefacenet_128d.onnx", false)]
    public void BatchRewrite_BatchOfCrops_EqualsOneByOne(string model, bool defaultPack)
    {
        var path = defaultPack ? Path.Combine(TestData.Models, model) : TestData.TestModel(model);
        using var batched = new ArcFaceEmbedder(_sessions.Open(path, dynamicBatch: true), path, PixelNormalization.ArcFace, maxBatch: 8);
        using var single = new ArcFaceEmbedder(_sessions.Open(path), path, PixelNormalization.ArcFace);
        Assert.Equal(8, batched.MaxBatch);
        Assert.Equal(1, single.MaxBatch);
        var crops = Enumerable.Range(0, 5).Select(i =>
        {
            var m = new Mat(112, 112, MatType.CV_8UC3);
            Cv2.Randu(m, Scalar.All(i * 10), Scalar.All(200 + i * 10));
            return m;
        }).ToList();
        var a = batched.Embed(crops);
        var b = single.Embed(crops);
        for (int i = 0; i < crops.Count; i++)
            for (int k = 0; k < a[i].Length; k++)
                Assert.Equal(b[i][k], a[i][k], 3);
        crops.ForEach(c => c.Dispose());
    }

    [Fact]
    public void BatchRewrite_LandmarksOfSeveralFaces_EqualOneByOne()
    {
        var path = Path.Combine(TestData.Models, "fr_landmark.onnx");
        using var batched = new Fr68Landmarker(_sessions.Open(path, dynamicBatch: true), path);
        using var single = new Fr68Landmarker(_sessions.Open(path), path);
        using var img = new ImageDecoder().DecodeFile(TestData.Multiface("insightface-t1.jpg"));
        var boxes = new List<Detection.FaceBox> { new(10, 10, 90, 100), new(200, 50, 300, 170), new(400, 30, 470, 120) };
        var a = batched.Locate(img, boxes);
        var b = single.Locate(img, boxes);
        for (int i = 0; i < boxes.Count; i++)
            for (int k = 0; k < 5; k++)
            {
                Assert.Equal(b[i][k].X, a[i][k].X, 2);
                Assert.Equal(b[i][k].Y, a[i][k].Y, 2);
            }
    }
}
