using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

public sealed class RtspSourceTests(RtspServerFixture rtsp) : IClassFixture<RtspServerFixture>
{
    [Theory]
    [InlineData(RtspTransport.Tcp)]
    [InlineData(RtspTransport.Udp)]
    public async Task RtspSource_SampledTo5Fps_DeliversAboutFiveFramesPerSecondWithIncreasingPts(RtspTransport transport)
    {
        var options = Fast(fps: 5);
        options.RtspTransport = transport;
        await using var source = new FfmpegFrameSource(rtsp.Url.ToString(), options);
        var frames = new List<SeenFrame>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        DateTimeOffset? firstAt = null;
        await foreach (var frame in source.ReadFramesAsync(cts.Token))
        {
            using (frame) frames.Add(See(frame));
            firstAt ??= DateTimeOffset.UtcNow;
            if (DateTimeOffset.UtcNow - firstAt >= TimeSpan.FromSeconds(3)) break;
        }

        Assert.Equal(HealthState.Streaming, source.Health.State);
        Assert.InRange(frames.Count, 13, 23); // ~3 s at 5 fps, plus what ffmpeg buffered while opening the stream
        // RTP timestamps may be rebased once RTCP sender reports arrive (one jump); frames between stay 0.2 s apart.
        AssertSequenceAndClock(frames);
        var steps = frames.Zip(frames.Skip(1), (a, b) => (b.Pts - a.Pts).TotalSeconds).ToList();
        Assert.True(steps.Count(d => Math.Abs(d - 0.2) < 0.01) >= steps.Count - 3, string.Join(", ", steps));
        Assert.All(frames, f => Assert.Equal((320, 240), (f.Width, f.Height)));
        Assert.Equal("h264", source.Stream?.Codec);
        // live frames carry the wall clock of arrival
        Assert.InRange(frames[^1].CaptureTime, DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task RtspSource_EveryFrame_DeliversTheCamerasFullRate()
    {
        await using var source = new FfmpegFrameSource(rtsp.Url.ToString(), Fast());
        var frames = new List<SeenFrame>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var frame in source.ReadFramesAsync(cts.Token))
            {
                using (frame) frames.Add(See(frame));
                if (frames.Count == 75) break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"75 frames did not arrive within 30 s: {frames.Count} did; health: " +
                string.Join(" → ", source.HealthHistory));
        }

        AssertSequenceAndClock(frames);
        var steps = frames.Zip(frames.Skip(1), (a, b) => (b.Pts - a.Pts).TotalSeconds).ToList();
        Assert.True(steps.Count(d => Math.Abs(d - 0.04) < 0.005) >= steps.Count - 3, string.Join(", ", steps));
        var wall = (frames[^1].CaptureTime - frames[40].CaptureTime).TotalSeconds; // after ffmpeg's start-up burst
        Assert.InRange(wall, 34 * 0.04 * 0.6, 34 * 0.04 * 1.5);
    }

    [Fact]
    public async Task RtspSource_WrongPath_FailsWithNotFound()
    {
        await using var source = new FfmpegFrameSource($"rtsp://127.0.0.1:{rtsp.Port}/no-such-camera", Fast(fps: 2));
        var frames = await ReadAllAsync(source, TimeSpan.FromSeconds(30));

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.NotFound, source.Health.Reason);
        Assert.Contains("404", source.Health.Message);
    }

    [Fact]
    public async Task RtspSource_RefusedPort_RetriesThenFailsWithConnectionRefused()
    {
        var options = Fast(fps: 2);
        options.MaxReconnectAttempts = 2;
        await using var source = new FfmpegFrameSource($"rtsp://127.0.0.1:{RtspServer.FreeTcpPort()}/cam", options);
        var frames = await ReadAllAsync(source, TimeSpan.FromSeconds(30));

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.ConnectionRefused, source.Health.Reason);
        Assert.Equal(3, source.Counters.Sessions);
        Assert.Equal(2, source.HealthHistory.Count(h => h.State == HealthState.Reconnecting));
    }

    [Fact]
    public async Task RtspSource_UnknownHost_FailsWithDns()
    {
        var options = Fast(fps: 2);
        options.MaxReconnectAttempts = 0;
        await using var source = new FfmpegFrameSource("rtsp://camera.invalid:554/cam", options);
        var frames = await ReadAllAsync(source, TimeSpan.FromSeconds(30));

        Assert.Empty(frames);
        Assert.Equal(HealthState.Failed, source.Health.State);
        Assert.Equal(HealthReason.Dns, source.Health.Reason);
    }
}
