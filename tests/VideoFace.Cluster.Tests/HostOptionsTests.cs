using VideoFace.Hosting;

namespace VideoFace.Cluster.Tests;

/// <summary>Silo host settings are checked at start; a bad value is reported with its key.</summary>
public sealed class HostOptionsTests
{
    private static VideoFaceHostOptions Valid() => new() { DataDirectory = "/tmp/videoface-options-test" };

    [Fact]
    public void Defaults_AreValid_AndKeepFaceDataThirtyDays()
    {
        Assert.Empty(Valid().Validate());
        Assert.Equal(TimeSpan.FromDays(30), Valid().SightingRetention);
    }

    [Theory]
    [InlineData("-1.00:00:00", "VideoFace:SightingRetention must be zero")]
    [InlineData("00:00:10", "VideoFace:SightingRetention must be at least one minute")]
    public void SightingRetention_Bad_NamesTheKey(string value, string message)
    {
        var o = Valid();
        o.SightingRetention = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(o.Validate(), e => e.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void SightingRetention_Zero_KeepsEverythingAndIsValid()
    {
        var o = Valid();
        o.SightingRetention = TimeSpan.Zero;
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void RetentionSweepInterval_BelowASecond_NamesTheKey()
    {
        var o = Valid();
        o.RetentionSweepInterval = TimeSpan.FromMilliseconds(10);
        Assert.Contains(o.Validate(), e => e.Contains("VideoFace:RetentionSweepInterval", StringComparison.Ordinal));
    }
}
