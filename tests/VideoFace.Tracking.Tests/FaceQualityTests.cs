using OpenCvSharp;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Tracking.Tests;

public class FaceQualityTests
{
    [Fact]
    public void Frontalness_ArcFaceTemplate_IsAboutOne() =>
        Assert.InRange(FaceQuality.Frontalness(Keypoints(Box(100, 100, 112))), 0.98f, 1f);

    [Fact]
    public void Frontalness_RolledTemplate_StaysAboutOne()
    {
        var kp = Keypoints(Box(100, 100, 112));
        float c = MathF.Cos(0.5f), s = MathF.Sin(0.5f);
        var rolled = kp.Select(p => new Point2f(100 + (p.X - 100) * c - (p.Y - 100) * s, 100 + (p.X - 100) * s + (p.Y - 100) * c)).ToArray();
        Assert.InRange(FaceQuality.Frontalness(rolled), 0.98f, 1f);
    }

    [Fact]
    public void Frontalness_NoseTowardAnEye_Falls()
    {
        float frontal = FaceQuality.Frontalness(Keypoints(Box(100, 100, 112)));
        float turned = FaceQuality.Frontalness(Keypoints(Box(100, 100, 112), yawShift: 0.1f));
        float profile = FaceQuality.Frontalness(Keypoints(Box(100, 100, 112), yawShift: 0.3f));
        Assert.True(frontal > turned && turned > profile);
        Assert.True(profile < 0.1f);
    }

    [Fact]
    public void Compute_SizeScoreAndTruncation_MultiplyAsDocumented()
    {
        var options = new TrackerOptions();
        float full = FaceQuality.Compute(Face(Box(300, 300, 112), score: 1f), 1280, 720, options);
        float half = FaceQuality.Compute(Face(Box(300, 300, 56), score: 1f), 1280, 720, options);
        float weak = FaceQuality.Compute(Face(Box(300, 300, 112), score: 0.5f), 1280, 720, options);
        float noKeypoints = FaceQuality.Compute(new FaceObservation(Box(300, 300, 112), 1f), 1280, 720, options);
        float cut = FaceQuality.Compute(Face(Box(1260, 300, 112), score: 1f), 1280, 720, options);
        Assert.InRange(full, 0.98f, 1f);
        Assert.Equal(full / 2, half, 1e-4f);
        Assert.Equal(full / 2, weak, 1e-4f);
        Assert.Equal(options.NoKeypointFrontalness, noKeypoints, 1e-4f);
        Assert.True(cut < full * options.TruncatedFaceFactor);
    }

    [Fact]
    public void Compute_Sharpness_FallsInProportionBelowTheScale_OneWhenUnmeasuredOrOff()
    {
        var options = new TrackerOptions();
        var face = Face(Box(300, 300, 112), score: 1f);
        float unmeasured = FaceQuality.Compute(face, 1280, 720, options);
        float sharp = FaceQuality.Compute(face with { Sharpness = options.FullQualitySharpness * 3 }, 1280, 720, options);
        float blurred = FaceQuality.Compute(face with { Sharpness = options.FullQualitySharpness / 4 }, 1280, 720, options);
        float flat = FaceQuality.Compute(face with { Sharpness = 0 }, 1280, 720, options);
        float garbage = FaceQuality.Compute(face with { Sharpness = float.NaN }, 1280, 720, options);
        float off = FaceQuality.Compute(face with { Sharpness = 1 }, 1280, 720, new TrackerOptions { FullQualitySharpness = 0 });
        Assert.Equal(unmeasured, sharp, 1e-5f);
        Assert.Equal(unmeasured / 4, blurred, 1e-4f);
        Assert.Equal(0, flat);
        Assert.Equal(0, garbage);
        Assert.Equal(unmeasured, off, 1e-5f);
    }
}
