namespace VideoFace.Tracking.Tests;

public class TrackerOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoErrors() => Assert.Empty(new TrackerOptions().Validate());

    [Fact]
    public void Validate_BadValues_ErrorsNameTheKeys()
    {
        var errors = new TrackerOptions { ConfirmHits = 0, TopK = 0, MinIoU = 0, MaxAge = TimeSpan.FromSeconds(-1), RejectSimilarity = 0.9f }.Validate();
        // RejectSimilarity 0.9 is above MinSimilarity and above the default SplitSimilarity: both are reported.
        foreach (var key in new[] { "Tracking:ConfirmHits", "Tracking:TopK", "Tracking:MinIoU", "Tracking:MaxAge", "Tracking:RejectSimilarity", "Tracking:SplitSimilarity" })
            Assert.Contains(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Validate_TrackIntegrityOptions_ErrorsNameTheKeys()
    {
        Assert.Contains(new TrackerOptions { SplitSimilarity = 0.2f }.Validate(),
            e => e.StartsWith("Tracking:SplitSimilarity must not be below RejectSimilarity", StringComparison.Ordinal));
        Assert.Contains(new TrackerOptions { SplitSimilarity = float.NaN }.Validate(), e => e.StartsWith("Tracking:SplitSimilarity ", StringComparison.Ordinal));
        Assert.Contains(new TrackerOptions { SplitAfter = 0 }.Validate(), e => e.StartsWith("Tracking:SplitAfter ", StringComparison.Ordinal));
        Assert.Contains(new TrackerOptions { MotionOnlyMinIoU = 0 }.Validate(), e => e.StartsWith("Tracking:MotionOnlyMinIoU ", StringComparison.Ordinal));
        Assert.Contains(new TrackerOptions { MotionOnlyMinIoU = 0.1f }.Validate(),
            e => e.StartsWith("Tracking:MotionOnlyMinIoU must not be below MinIoU", StringComparison.Ordinal));
        Assert.Contains(new TrackerOptions { MotionOnlyMinIoU = float.NaN }.Validate(), e => e.StartsWith("Tracking:MotionOnlyMinIoU ", StringComparison.Ordinal));
        // The split rule may be switched off by making it the gate itself; SplitAfter 1 splits on the first doubtful face.
        Assert.Empty(new TrackerOptions { SplitSimilarity = 0.30f, SplitAfter = 1, MotionOnlyMinIoU = 0.2f }.Validate());
    }

    [Fact]
    public void FaceTracker_InvalidOptions_ThrowsNamingTheKey()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FaceTracker("cam1", new TrackerOptions { ConfirmHits = 0 }));
        Assert.Contains("Tracking:ConfirmHits", ex.Message);
    }
}
