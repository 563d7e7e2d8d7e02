using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

/// <summary>Camera drops and stalls; a server of its own, since these tests stop and freeze it.</summary>
public sealed class RtspFailoverTests(RtspServerFixture rtsp) : IClassFixture<RtspServerFixture>
{
    [Fact]
    public async Task RtspSource_CameraDrops_ReconnectsAndFramesResume()
    {
        await using var source = new FfmpegFrameSource(rtsp.Url.ToString(), Fast(fps: 5));
        var frames = new List<SeenFrame>();
        var consumer = Consume(source, frames);

        await Poll.UntilAsync(() => Count(frames) >= 3, TimeSpan.FromSeconds(20), "frames arrive");
        await rtsp.StopAsync();
        await Poll.UntilAsync(() => source.Health.State is HealthState.Reconnecting or HealthState.Connecting && Reached(source, HealthState.Reconnecting),
            TimeSpan.FromSeconds(20), "the source notices the drop");
        var before = Count(frames);
        await rtsp.RestartAsync();
        await Poll.UntilAsync(() => Count(frames) >= before + 3, TimeSpan.FromSeconds(30), "frames resume after the camera is back");

        var states = source.HealthHistory.Select(h => h.State).ToList();
        var reconnect = states.IndexOf(HealthState.Reconnecting);
        Assert.True(reconnect > 0 && states.Skip(reconnect).Contains(HealthState.Streaming), string.Join(" > ", states));
        Assert.Equal(HealthState.Streaming, source.Health.State);
        Assert.True(source.Counters.Sessions >= 2);
        var seqs = Snapshot(frames).Select(f => f.Sequence).ToList();
        Assert.Equal(seqs.Order(), seqs);
        await source.DisposeAsync();
        await consumer;
    }

    [Fact]
    public async Task RtspSource_CameraFreezes_StallIsDetectedAndStreamRestarts()
    {
        var options = Fast(fps: 5);
        options.StallTimeout = TimeSpan.FromSeconds(2);
        await using var source = new FfmpegFrameSource(rtsp.Url.ToString(), options);
        var frames = new List<SeenFrame>();
        var consumer = Consume(source, frames);

        await Poll.UntilAsync(() => Count(frames) >= 3, TimeSpan.FromSeconds(20), "frames arrive");
        rtsp.Server.Freeze();
        try
        {
            await Poll.UntilAsync(() => Reached(source, HealthState.Stalled), TimeSpan.FromSeconds(15), "the stall is detected");
        }
        finally
        {
            rtsp.Server.Thaw();
        }
        var before = Count(frames);
        await Poll.UntilAsync(() => Count(frames) >= before + 3, TimeSpan.FromSeconds(30), "frames resume after the stall");
        await Poll.UntilAsync(() => source.Health.State == HealthState.Streaming, TimeSpan.FromSeconds(20), "the restarted session streams");

        var stalled = source.HealthHistory.First(h => h.State == HealthState.Stalled);
        Assert.Equal(HealthReason.Stalled, stalled.Reason);
        Assert.Equal(HealthState.Streaming, source.Health.State);
        await source.DisposeAsync();
        await consumer;
    }

    private static Task Consume(IFrameSource source, List<SeenFrame> into) => Task.Run(async () =>
    {
        try
        {
            await foreach (VideoFrame frame in source.ReadFramesAsync())
                using (frame) lock (into) into.Add(See(frame));
        }
        catch (OperationCanceledException) { }
    });

    private static int Count(List<SeenFrame> frames) { lock (frames) return frames.Count; }

    private static List<SeenFrame> Snapshot(List<SeenFrame> frames) { lock (frames) return [.. frames]; }
}
