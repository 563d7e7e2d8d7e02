using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

public sealed class FileSourceTests(MediaClips clips) : IClassFixture<MediaClips>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FileSource_EveryFrame_DeliversAllFramesWithStreamPts()
    {
        await using var source = new FfmpegFrameSource(clips.Mp4, Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Equal(100, frames.Count);
        Assert.All(frames, f => Assert.Equal((320, 240, 1.0, 1.0), (f.Width, f.Height, f.ScaleX, f.ScaleY)));
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(i, frames[i].Sequence);
            Assert.Equal(i * 0.04, frames[i].Pts.TotalSeconds, 3);
        }
        AssertMonotonic(frames);
        Assert.Equal(HealthState.Ended, source.Health.State);
        Assert.Equal(HealthReason.EndOfStream, source.Health.Reason);
        Assert.Equal(new StreamInfoShape("h264", 320, 240, 25), Shape(source));
        Assert.Equal(0, source.Counters.Dropped);
    }

    [Fact]
    public async Task FileSource_SampledFrom25To5Fps_DeliversFiveFramesPerSecondEvenlySpaced()
    {
        await using var source = new FfmpegFrameSource(clips.Mp4, Fast(fps: 5));
        var frames = await ReadAllAsync(source, Timeout);

        Assert.InRange(frames.Count, 19, 21); // 4 s × 5 fps
        AssertMonotonic(frames);
        for (var i = 1; i < frames.Count; i++)
            Assert.Equal(0.2, (frames[i].Pts - frames[i - 1].Pts).TotalSeconds, 2);
        Assert.Equal(HealthState.Ended, source.Health.State);
    }

    [Theory]
    [InlineData(2.0, new[] { 0.0, 1, 2, 3 })] // keyframes (1 s apart) are rarer than the analysis fps: every one, no duplicate
    [InlineData(0.5, new[] { 0.0, 2 })] // rarer analysis fps: at most one keyframe per 2 s
    public async Task FileSource_KeyframesOnly_DeliversOnlyKeyframesAtMostTheAnalysisFps(double fps, double[] expectedSeconds)
    {
        var options = Fast(fps: fps);
        options.KeyframesOnly = true;
        await using var source = new FfmpegFrameSource(clips.Mp4, options); // 4 s at 25 fps, a keyframe every 25 frames
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Equal(expectedSeconds, frames.Select(f => Math.Round(f.Pts.TotalSeconds, 2)));
        Assert.Equal(HealthState.Ended, source.Health.State);
    }

    [Fact]
    public async Task FileSource_Downscaled_KeepsScaleBackToFullResolution()
    {
        var options = Fast(fps: 5);
        options.MaxWidth = 160;
        await using var source = new FfmpegFrameSource(clips.Mp4, options);
        var frames = await ReadAllAsync(source, Timeout);

        Assert.NotEmpty(frames);
        Assert.All(frames, f => Assert.Equal((160, 120, 2.0, 2.0), (f.Width, f.Height, f.ScaleX, f.ScaleY)));
    }

    [Fact]
    public async Task FileSource_FileCaptureTime_FollowsPts()
    {
        await using var source = new FfmpegFrameSource(clips.Mp4, Fast(fps: 5));
        var frames = await ReadAllAsync(source, Timeout);

        var anchor = frames[0].CaptureTime - frames[0].Pts;
        Assert.All(frames, f => Assert.Equal(anchor + f.Pts, f.CaptureTime));
    }

    [Fact]
    public async Task FileSource_TruncatedMp4_FailsWithInvalidData()
    {
        await using var source = new FfmpegFrameSource(clips.TruncatedMp4, Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.InvalidData, source.Health.Reason);
        Assert.Contains("moov atom not found", source.Health.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FileSource_TruncatedTs_DeliversTheDecodablePartThenEnds()
    {
        await using var source = new FfmpegFrameSource(clips.TruncatedTs, Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.InRange(frames.Count, 10, 99);
        AssertMonotonic(frames);
        Assert.Equal(HealthState.Ended, source.Health.State);
    }

    [Fact]
    public async Task FileSource_NotAVideo_FailsWithInvalidData()
    {
        await using var source = new FfmpegFrameSource(clips.NotVideo, Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.InvalidData, source.Health.Reason);
    }

    [Fact]
    public async Task FileSource_AudioOnly_FailsWithNoVideoStream()
    {
        await using var source = new FfmpegFrameSource(clips.AudioOnly, Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.NoVideoStream, source.Health.Reason);
    }

    [Fact]
    public async Task FileSource_MissingFile_FailsWithNotFound()
    {
        await using var source = new FfmpegFrameSource(Path.Combine(clips.Folder, "nope.mp4"), Fast());
        var frames = await ReadAllAsync(source, Timeout);

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.NotFound, source.Health.Reason);
    }

    [Fact]
    public async Task FileSource_Transitions_AreConnectingStreamingEnded()
    {
        await using var source = new FfmpegFrameSource(clips.Mp4, Fast(fps: 5));
        var seen = new List<HealthState>();
        source.HealthChanged += (_, h) => { lock (seen) seen.Add(h.State); };
        await ReadAllAsync(source, Timeout);

        Assert.Equal([HealthState.Connecting, HealthState.Streaming, HealthState.Ended], seen);
    }

    [Fact]
    public async Task FileSource_SlowConsumerOnLiveSource_DropsOldestCountsDropsAndKeepsMemoryFlat()
    {
        var options = Fast();
        options.Live = false; // ends at EOF, but drops like a live camera:
        options.BackPressure = BackPressureMode.DropOldest;
        options.QueueCapacity = 2;
        await using var source = new FfmpegFrameSource(clips.Mp4, options);
        using var cts = new CancellationTokenSource(Timeout);
        var delivered = new List<long>();
        long maxOutstanding = 0;
        await foreach (var frame in source.ReadFramesAsync(cts.Token))
        {
            using (frame)
            {
                delivered.Add(frame.Sequence);
                maxOutstanding = Math.Max(maxOutstanding, source.FramesOutstanding);
                if (delivered.Count == 1)
                    await Task.Delay(TimeSpan.FromSeconds(1.5), cts.Token); // analysis lagging: ffmpeg decodes on
            }
        }

        Assert.Equal(100, source.Counters.Decoded);
        Assert.True(source.Counters.Dropped > 0, "a stalled consumer must cause drops");
        Assert.Equal(100, delivered.Count + source.Counters.Dropped);
        Assert.True(maxOutstanding <= options.QueueCapacity + 2, $"at most queue + reading + held frames in memory, saw {maxOutstanding}");
        Assert.Equal(delivered.Order(), delivered); // what is left is the newest, in order
        Assert.Equal(99, delivered[^1]);
        Assert.Equal(0, source.FramesOutstanding);
    }

    [Fact]
    public async Task FileSource_FiniteSourceWithSlowConsumer_WaitsAndLosesNothing()
    {
        var options = Fast();
        options.QueueCapacity = 2;
        await using var source = new FfmpegFrameSource(clips.Mp4, options);
        using var cts = new CancellationTokenSource(Timeout);
        var count = 0;
        await foreach (var frame in source.ReadFramesAsync(cts.Token))
        {
            using (frame)
                if (++count == 1) await Task.Delay(TimeSpan.FromSeconds(0.5), cts.Token);
        }

        Assert.Equal(100, count);
        Assert.Equal(0, source.Counters.Dropped);
    }

    private sealed record StreamInfoShape(string Codec, int Width, int Height, double Fps);

    private static StreamInfoShape? Shape(IFrameSource s) =>
        s.Stream is { } i ? new StreamInfoShape(i.Codec, i.Width, i.Height, i.Fps) : null;
}
