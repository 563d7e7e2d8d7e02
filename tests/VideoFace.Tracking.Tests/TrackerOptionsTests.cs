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
    public void FaceTracker_InvalidOptions_ThrowsNamingTheKey()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FaceTracker("cam1", new TrackerOptions { ConfirmHits = 0 }));
        Assert.Contains("Tracking:ConfirmHits", ex.Message);
    }
}
