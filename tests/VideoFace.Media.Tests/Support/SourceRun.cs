using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Tests.Support;

/// <summary>What a test saw of a frame source: frame facts (buffers already returned) and health transitions.</summary>
public sealed record SeenFrame(long Sequence, TimeSpan Pts, DateTimeOffset CaptureTime, int Width, int Height, double ScaleX, double ScaleY, byte FirstByte);

public static class SourceRun
{
    /// <summary>Reads every frame until the source ends (or the timeout passes, which fails the test).</summary>
    public static async Task<List<SeenFrame>> ReadAllAsync(IFrameSource source, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var frames = new List<SeenFrame>();
        await foreach (var frame in source.ReadFramesAsync(cts.Token))
        {
            using (frame) frames.Add(See(frame));
        }
        return frames;
    }

    public static SeenFrame See(VideoFrame f) =>
        new(f.Sequence, f.Pts, f.CaptureTime, f.Width, f.Height, f.ScaleX, f.ScaleY, f.Pixels[0]);

    public static MediaOptions Fast(double fps = 0) => new()
    {
        AnalysisFps = fps,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        StallTimeout = TimeSpan.FromSeconds(3),
        NetworkTimeout = TimeSpan.FromSeconds(3),
        HardwareDecode = HardwareDecode.Off,
    };

    /// <summary>Sequence strictly increasing; pts and capture time never going back (RTP streams may repeat the first pts).</summary>
    public static void AssertMonotonic(IReadOnlyList<SeenFrame> frames)
    {
        Assert.True(frames.Count < 2 || frames[^1].Pts > frames[0].Pts, "pts do not advance");
        for (var i = 1; i < frames.Count; i++)
        {
            Assert.True(frames[i].Pts >= frames[i - 1].Pts, $"pts going back at {i}: {frames[i - 1].Pts} then {frames[i].Pts}");
            Assert.True(frames[i].Sequence > frames[i - 1].Sequence, $"sequence not increasing at {i}");
            Assert.True(frames[i].CaptureTime >= frames[i - 1].CaptureTime, $"capture time going back at {i}");
        }
    }

    /// <summary>Sequence strictly increasing and capture time never going back.</summary>
    public static void AssertSequenceAndClock(IReadOnlyList<SeenFrame> frames)
    {
        for (var i = 1; i < frames.Count; i++)
        {
            Assert.True(frames[i].Sequence > frames[i - 1].Sequence, $"sequence not increasing at {i}");
            Assert.True(frames[i].CaptureTime >= frames[i - 1].CaptureTime, $"capture time going back at {i}");
        }
    }

    public static bool Reached(IFrameSource source, HealthState state) => source.HealthHistory.Any(h => h.State == state);
}
