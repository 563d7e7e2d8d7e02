using System.Diagnostics;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Media.Tests;

/// <summary>Runs alone (not in parallel with other classes) so "no ffmpeg child of this process" is meaningful.</summary>
[CollectionDefinition(nameof(ProcessLeakCollection), DisableParallelization = true)]
public sealed class ProcessLeakCollection : ICollectionFixture<MediaClips>;

[Collection(nameof(ProcessLeakCollection))]
public sealed class ProcessLeakTests(MediaClips clips)
{
    private static readonly int Self = Environment.ProcessId;

    [Fact]
    public async Task FrameSource_CancelledMidStream_LeavesNoFfmpegProcess()
    {
        var options = SourceRun.Fast();
        options.ReadFileAtNativeRate = true; // still decoding when cancelled
        var source = new FfmpegFrameSource(clips.Mp4, options);
        using var cts = new CancellationTokenSource();
        var count = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var frame in source.ReadFramesAsync(cts.Token))
            {
                frame.Dispose();
                if (++count == 5) await cts.CancelAsync();
            }
        });

        await Poll.UntilAsync(() => source.Health.State == HealthState.Stopped, TimeSpan.FromSeconds(10), "the source stops");
        Assert.All(source.ProcessIds, pid => Assert.False(ProcessTable.IsAlive(pid), $"ffmpeg {pid} still alive"));
        Assert.Empty(ProcessTable.Children(Self, "ffmpeg"));
        await source.DisposeAsync();
        Assert.Equal(0, source.FramesOutstanding);
    }

    [Fact]
    public async Task FrameSource_DisposedWhileReading_KillsFfmpegAndReturnsBuffers()
    {
        var options = SourceRun.Fast();
        options.ReadFileAtNativeRate = true;
        var source = new FfmpegFrameSource(clips.Mp4, options);
        var reader = Task.Run(async () =>
        {
            await foreach (var frame in source.ReadFramesAsync()) frame.Dispose();
        });
        await Poll.UntilAsync(() => source.Counters.Decoded >= 3, TimeSpan.FromSeconds(10), "frames arrive");

        var watch = Stopwatch.StartNew();
        await source.DisposeAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"teardown took {watch.Elapsed}");
        Assert.NotEmpty(source.ProcessIds);
        Assert.All(source.ProcessIds, pid => Assert.False(ProcessTable.IsAlive(pid), $"ffmpeg {pid} still alive"));
        Assert.Empty(ProcessTable.Children(Self, "ffmpeg"));
        Assert.Equal(0, source.FramesOutstanding);
    }

    [Fact]
    public async Task FrameSource_FailingCameraDisposedDuringBackoff_LeavesNoFfmpegProcess()
    {
        var options = SourceRun.Fast(fps: 2);
        options.ReconnectInitialDelay = TimeSpan.FromSeconds(30);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(30);
        var source = new FfmpegFrameSource($"rtsp://127.0.0.1:{RtspServer.FreeTcpPort()}/cam", options);
        var reader = Task.Run(async () => { await foreach (var f in source.ReadFramesAsync()) f.Dispose(); });
        await Poll.UntilAsync(() => source.Health.State == HealthState.Reconnecting, TimeSpan.FromSeconds(10), "the camera is retried");

        await source.DisposeAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(HealthState.Stopped, source.Health.State);
        Assert.Empty(ProcessTable.Children(Self, "ffmpeg"));
    }
}
