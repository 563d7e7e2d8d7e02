using OpenCvSharp;
using VideoFace.Vision.Embedding;

namespace VideoFace.Vision.Tests;

public sealed class FaceAnalyzerTests(AnalyzerFixture fx) : IClassFixture<AnalyzerFixture>
{
    [Theory]
    [InlineData("insightface-t1.jpg", 6)]
    [InlineData("ageitgey-two_people.jpg", 2)]
    [InlineData("ageitgey-obama_and_biden.jpg", 3)]
    [InlineData("ageitgey-kit_with_rose.jpg", 2)]
    public void Analyze_GroupPhoto_FindsEveryFaceWithUnitEmbeddings(string file, int expected)
    {
        using var img = fx.Analyzer.Decoder.DecodeFile(TestData.Multiface(file));
        var faces = fx.Analyzer.Analyze(img);
        Assert.Equal(expected, faces.Count);
        foreach (var f in faces)
        {
            Assert.Equal(512, f.NormedEmbedding.Length);
            Assert.Equal(1f, Embeddings.Norm(f.NormedEmbedding), 3);
            Assert.True(f.EmbeddingNorm > 0);
            Assert.Equal(5, f.Keypoints.Length);
            Assert.All(f.Keypoints, p => Assert.True(p.X >= f.Box.X1 - 0.25f * f.Box.Width && p.X <= f.Box.X2 + 0.25f * f.Box.Width));
            Assert.True(f.Keypoints[0].X < f.Keypoints[1].X, "left eye is left of the right eye");
            Assert.True(f.Keypoints[2].Y > f.Keypoints[0].Y && f.Keypoints[3].Y > f.Keypoints[2].Y, "eyes above nose above mouth");
        }
        Assert.True(faces.Zip(faces.Skip(1)).All(p => p.First.Box.Area >= p.Second.Box.Area), "largest face first");
    }

    [Fact]
    public void Analyze_PlainGreyFrame_FindsNoFace()
    {
        using var grey = new Mat(480, 640, MatType.CV_8UC3, Scalar.All(128));
        Assert.Empty(fx.Analyzer.Analyze(grey));
    }

    [Fact]
    public void Similarity_GenuinePairsScoreFarAboveImpostors()
    {
        string[] people = ["Tony_Blair", "Colin_Powell", "Jennifer_Aniston", "Yoko_Ono", "Serena_Williams"];
        var emb = people.ToDictionary(p => p, p => Enumerable.Range(1, 2).Select(i => fx.EmbedLargest(TestData.Face(p, i))).ToArray());
        var genuine = people.Select(p => Embeddings.Cosine(emb[p][0], emb[p][1])).ToList();
        var impostor = (from a in people from b in people where string.CompareOrdinal(a, b) < 0 select Embeddings.Cosine(emb[a][0], emb[b][0])).ToList();
        Assert.All(genuine, s => Assert.True(s > 0.3f, $"genuine similarity {s}"));
        Assert.All(impostor, s => Assert.True(s < 0.3f, $"impostor similarity {s}"));
        Assert.True(genuine.Min() > impostor.Max());
    }

    [Fact]
    public void Analyze_SamePhotoShiftedInLargerCanvas_BoxMovesAndEmbeddingStays()
    {
        using var img = fx.Analyzer.Decoder.DecodeFile(TestData.Face("George_W_Bush", 1));
        using var canvas = new Mat(720, 1280, MatType.CV_8UC3, Scalar.All(40));
        img.CopyTo(new Mat(canvas, new Rect(600, 300, img.Cols, img.Rows)));
        var a = fx.Analyzer.Analyze(img, 1)[0];
        var b = fx.Analyzer.Analyze(canvas, 1)[0];
        Assert.InRange(b.Box.Center.X - a.Box.Center.X, 600 - 12, 600 + 12);
        Assert.InRange(b.Box.Center.Y - a.Box.Center.Y, 300 - 12, 300 + 12);
        Assert.True(Embeddings.Cosine(a.NormedEmbedding, b.NormedEmbedding) > 0.8f);
    }

    [Fact]
    public void Analyze_GreyAndAlphaImages_AreAnalysedLikeColour()
    {
        // (Tony_Blair_0001 has a second, cut-off face at its edge; George_W_Bush_0001 has exactly one)
        var bytes = File.ReadAllBytes(TestData.Face("George_W_Bush", 1));
        using var colour = fx.Analyzer.Decoder.Decode(bytes);
        using var grey = colour.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var bgra = colour.CvtColor(ColorConversionCodes.BGR2BGRA);
        Cv2.ImEncode(".png", grey, out var greyPng);
        Cv2.ImEncode(".png", bgra, out var bgraPng);
        using var greyDecoded = fx.Analyzer.Decoder.Decode(greyPng);
        using var bgraDecoded = fx.Analyzer.Decoder.Decode(bgraPng);
        Assert.Single(fx.Analyzer.Analyze(greyDecoded));
        Assert.Single(fx.Analyzer.Analyze(bgraDecoded));
        // Mats straight from other code (not via the decoder) are converted too
        Assert.Single(fx.Analyzer.Analyze(grey));
        Assert.Single(fx.Analyzer.Analyze(bgra));
    }

    [Fact]
    public void EmbedAligned_InsightFaceSampleCrop_MatchesThePersonsPhotos()
    {
        var cropPath = Path.Combine(TestData.Shared, "data", "faces-dev-crops", "Tom_Hanks", "insightface-Tom_Hanks_54745.png");
        using var crop = fx.Analyzer.Decoder.DecodeFile(cropPath);
        var hanks = fx.Analyzer.EmbedAligned([crop])[0].Normed;
        var hanksPhoto = fx.EmbedLargest(TestData.Face("Tom_Hanks", 1));
        var blair = fx.EmbedLargest(TestData.Face("Tony_Blair", 1));
        Assert.True(Embeddings.Cosine(hanks, hanksPhoto) > Embeddings.Cosine(hanks, blair) + 0.2f);
    }

    [Fact]
    public void WarmUp_RunsEveryModelAtItsLargestBatch_AndLeavesResultsUnchanged()
    {
        using var img = fx.Analyzer.Decoder.DecodeFile(TestData.Multiface("insightface-t1.jpg"));
        var before = fx.Analyzer.Analyze(img);
        fx.Analyzer.WarmUp();
        var after = fx.Analyzer.Analyze(img);
        Assert.Equal(before.Count, after.Count);
        foreach (var (a, b) in before.Zip(after))
        {
            Assert.Equal(a.Box, b.Box);
            Assert.True(Embeddings.Cosine(a.NormedEmbedding, b.NormedEmbedding) > 0.9999f);
        }
    }

    [Fact]
    public void Embeddings_DoNotDependOnTheBatchTheyRanIn()
    {
        using var img = fx.Analyzer.Decoder.DecodeFile(TestData.Multiface("insightface-t1.jpg"));
        var faces = fx.Analyzer.Analyze(img);
        var crops = faces.Select(f => Alignment.FaceAligner.Align(img, f.Keypoints, fx.Analyzer.Embedder.InputSize)).ToList();
        try
        {
            // one crop alone, then all of them in one batch padded to a larger batch with copies: the dynamic-batch
            // sessions run without a per-shape memory plan, and every batch size must give the same numbers
            var alone = fx.Analyzer.EmbedAligned([crops[0]]);
            var padded = crops.Concat(Enumerable.Repeat(crops[^1], 20)).ToList();
            var together = fx.Analyzer.EmbedAligned(padded);
            Assert.True(Embeddings.Cosine(alone[0].Normed, together[0].Normed) > 0.9999f);
            for (int i = 0; i < faces.Count; i++)
                Assert.True(Embeddings.Cosine(faces[i].NormedEmbedding, together[i].Normed) > 0.9999f);
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }
}
