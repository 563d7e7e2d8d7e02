using OpenCvSharp;
using VideoFace.Vision.Alignment;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Quality;
using Xunit.Abstractions;

namespace VideoFace.Vision.Tests;

/// <summary>
/// Sharpness of real faces (dev photos, the largest face of each) as they are and blurred as motion or defocus blurs a
/// camera's face, measured on the aligned crop; the scale that makes a face count as fully sharp is chosen from these
/// distributions (docs/accuracy.md).
/// </summary>
public sealed class FaceSharpnessTests(ITestOutputHelper output)
{
    private static readonly double[] Sigmas = [0, 1.0, 2.0, 3.0];

    /// <summary>The default of TrackerOptions.FullQualitySharpness (the Vision library cannot see the tracker's options).</summary>
    private const float FullQualitySharpness = 50f;

    [Fact]
    public void Measure_FlatCrop_Zero_AndEdgesMakeItSharp()
    {
        using var flat = new Mat(112, 112, MatType.CV_8UC3, Scalar.All(128));
        Assert.Equal(0, FaceSharpness.Measure(flat));
        using var edges = flat.Clone();
        for (int x = 14; x < 98; x += 4) Cv2.Line(edges, new Point(x, 14), new Point(x, 97), Scalar.All(255));
        Assert.True(FaceSharpness.Measure(edges) > 1000);
        using var empty = new Mat();
        Assert.Equal(0, FaceSharpness.Measure(empty));
    }

    [Fact]
    public void RealFaces_BlurLowersSharpness_AndMovesTheEmbedding()
    {
        using var fx = new AnalyzerFixture();
        var photos = Directory.GetDirectories(TestData.Faces).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d).Order(StringComparer.Ordinal).FirstOrDefault())
            .OfType<string>().Take(80).ToList();
        var sharpness = Sigmas.ToDictionary(s => s, _ => new List<float>());
        var drift = Sigmas.ToDictionary(s => s, _ => new List<float>());
        foreach (var photo in photos)
        {
            using var image = fx.Analyzer.Decoder.DecodeFile(photo);
            float[]? reference = null;
            foreach (var sigma in Sigmas)
            {
                using var blurred = image.Clone();
                if (sigma > 0) Cv2.GaussianBlur(image, blurred, new Size(0, 0), sigma);
                var face = fx.Analyzer.Analyze(blurred, maxFaces: 1).FirstOrDefault();
                if (face is null) continue;
                using var crop = FaceAligner.Align(blurred, face.Keypoints, fx.Analyzer.Embedder.InputSize);
                sharpness[sigma].Add(FaceSharpness.Measure(crop));
                if (sigma == 0) reference = face.NormedEmbedding;
                else if (reference is not null) drift[sigma].Add(Embeddings.Cosine(reference, face.NormedEmbedding));
            }
        }
        foreach (var sigma in Sigmas)
        {
            var s = sharpness[sigma].Order().ToList();
            var d = drift[sigma].Order().ToList();
            var line = FormattableString.Invariant($"sigma {sigma}: n {s.Count} sharpness p5 {P(s, 0.05):0} p25 {P(s, 0.25):0} p50 {P(s, 0.5):0} p95 {P(s, 0.95):0}");
            if (d.Count > 0) line += FormattableString.Invariant($"; cosine to the sharp face p5 {P(d, 0.05):0.000} p50 {P(d, 0.5):0.000}");
            output.WriteLine(line);
        }
        // every blur step lowers the typical sharpness, and moves the embedding further from the sharp face's
        float Median(double sigma) => P(sharpness[sigma].Order().ToList(), 0.5);
        for (int i = 1; i < Sigmas.Length; i++) Assert.True(Median(Sigmas[i]) < Median(Sigmas[i - 1]));
        Assert.True(P(drift[2.0].Order().ToList(), 0.05) < P(drift[1.0].Order().ToList(), 0.05));
        // the tracker's full-sharpness scale sits between them: sharp photos get the full term, a 2 px blur half or less
        Assert.True(P(sharpness[0].Order().ToList(), 0.10) >= FullQualitySharpness, "most sharp photos reach the full term");
        Assert.True(Median(2.0) <= FullQualitySharpness / 2, "a 2 px blur halves the term");
        Assert.True(Median(3.0) <= FullQualitySharpness / 3, "a 3 px blur cuts it to a third");
    }

    private static float P(IReadOnlyList<float> sorted, double q) =>
        sorted.Count == 0 ? float.NaN : sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
}
