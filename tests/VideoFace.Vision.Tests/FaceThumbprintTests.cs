using OpenCvSharp;
using VideoFace.Vision.Alignment;
using VideoFace.Vision.Quality;
using Xunit.Abstractions;

namespace VideoFace.Vision.Tests;

/// <summary>
/// The thumbprint that lets a camera skip the embedding of an unchanged face: the same face a moment later (moved,
/// resized, re-detected and re-aligned, slightly brighter) must stay alike, and other people's faces in the same spot
/// must mostly not be; the skipping threshold (EmbedPolicy's MinThumbprintLikeness, 0.9) is chosen from these
/// distributions (docs/accuracy.md).
/// </summary>
public sealed class FaceThumbprintTests(ITestOutputHelper output)
{
    /// <summary>The default of TrackerOptions.EmbedPolicy.MinThumbprintLikeness (the Vision library cannot see it).</summary>
    private const float MinLikeness = 0.9f;

    [Fact]
    public void Measure_FlatCrop_IsAlikeToNothing_AndAPrintIsAlikeToItself()
    {
        using var flat = new Mat(112, 112, MatType.CV_8UC3, Scalar.All(128));
        Assert.Equal(0, FaceThumbprint.Likeness(FaceThumbprint.Measure(flat), FaceThumbprint.Measure(flat)));
        using var empty = new Mat();
        Assert.All(FaceThumbprint.Measure(empty), v => Assert.Equal(0, v));
        using var gradient = new Mat(112, 112, MatType.CV_8UC3);
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 112; x++) gradient.Set(y, x, new Vec3b((byte)(2 * x), (byte)(2 * x), (byte)(2 * x)));
        var print = FaceThumbprint.Measure(gradient);
        Assert.Equal(FaceThumbprint.Side * FaceThumbprint.Side, print.Length);
        Assert.Equal(1f, FaceThumbprint.Likeness(print, print), 3);
        using var transposed = gradient.T().ToMat(); // light from the left, then from above: uncorrelated
        Assert.InRange(FaceThumbprint.Likeness(print, FaceThumbprint.Measure(transposed)), -0.05f, 0.05f);
        using var brighter = new Mat();
        gradient.ConvertTo(brighter, -1, 0.8, 30); // the same face in other light: the print ignores level and contrast
        Assert.Equal(1f, FaceThumbprint.Likeness(print, FaceThumbprint.Measure(brighter)), 2);
        Assert.Equal(0, FaceThumbprint.Likeness(print, null));
        Assert.Equal(0, FaceThumbprint.Likeness(print, new float[3]));
    }

    [Fact]
    public void RealFaces_TheSameFaceMovedStaysAlike_OtherPeopleDoNot()
    {
        using var fx = new AnalyzerFixture();
        var photos = Directory.GetDirectories(TestData.Faces).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d).Order(StringComparer.Ordinal).FirstOrDefault())
            .OfType<string>().Take(60).ToList();
        var prints = new List<float[]>();
        var same = new List<float>();
        foreach (var photo in photos)
        {
            using var image = fx.Analyzer.Decoder.DecodeFile(photo);
            var face = fx.Analyzer.Analyze(image, maxFaces: 1).FirstOrDefault();
            if (face is null) continue;
            using var crop = FaceAligner.Align(image, face.Keypoints, fx.Analyzer.Embedder.InputSize);
            var print = FaceThumbprint.Measure(crop);
            prints.Add(print);
            // a moment later: 6 px to the side, 8 % larger, a little brighter; found and aligned again
            using var moved = new Mat();
            var shift = Cv2.GetRotationMatrix2D(new Point2f(image.Cols / 2f, image.Rows / 2f), 0, 1.08);
            shift.Set(0, 2, shift.At<double>(0, 2) + 6);
            Cv2.WarpAffine(image, moved, shift, image.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
            moved.ConvertTo(moved, -1, 1.05, 4);
            var again = fx.Analyzer.Analyze(moved, maxFaces: 1).FirstOrDefault();
            if (again is null) continue;
            using var crop2 = FaceAligner.Align(moved, again.Keypoints, fx.Analyzer.Embedder.InputSize);
            same.Add(FaceThumbprint.Likeness(print, FaceThumbprint.Measure(crop2)));
        }
        var other = new List<float>();
        for (int i = 0; i < prints.Count; i++)
            for (int j = i + 1; j < prints.Count; j++) other.Add(FaceThumbprint.Likeness(prints[i], prints[j]));
        same.Sort();
        other.Sort();
        output.WriteLine(FormattableString.Invariant(
            $"same face moved: n {same.Count} min {same[0]:0.000} p5 {P(same, 0.05):0.000} p50 {P(same, 0.5):0.000}"));
        output.WriteLine(FormattableString.Invariant(
            $"other people: n {other.Count} p50 {P(other, 0.5):0.000} p90 {P(other, 0.9):0.000} p99 {P(other, 0.99):0.000} max {other[^1]:0.000}; at or above {MinLikeness}: {other.Count(v => v >= MinLikeness)}"));
        Assert.True(P(same, 0.05) >= MinLikeness, "the same face a moment later is skipped");
        Assert.True(P(other, 0.95) < MinLikeness, "another person in the same spot is embedded (re-verification catches the rest)");
    }

    private static float P(IReadOnlyList<float> sorted, double q) =>
        sorted.Count == 0 ? float.NaN : sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
}
