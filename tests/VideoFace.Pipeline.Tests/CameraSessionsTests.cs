using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Media;
using VideoFace.Media.Health;
using VideoFace.Pipeline.Sessions;
using VideoFace.Testing;
using VideoFace.Tracking;
using VideoFace.Vision;

namespace VideoFace.Pipeline.Tests;

/// <summary>
/// Camera sessions over real ffmpeg on generated clips (a white square is the face, found by the stand-in detector, tracked
/// by the real tracker), with a publisher that records what it is told: every run of a camera is opened and closed around
/// its tracks, a stop says why, and a failing camera says why and when it tries again.
/// </summary>
public sealed class CameraSessionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _folder = TestVideos.TempFolder("camera-sessions");
    private readonly RecordingPublisher _publisher = new();
    private FaceAnalyzer _analyzer = null!;
    private InferenceBatcher _batcher = null!;
    private CameraSessions _sessions = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        (_analyzer, _batcher) = StandIns.Batcher();
        var media = new MediaOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(300) };
        // the faces are flat white squares: the sharpness term is off, as in the keyframe tests
        var tracking = new TrackerOptions { FullQualitySharpness = 0 };
        _sessions = new CameraSessions(_publisher, () => _batcher, new FaceTrackerFactory(tracking, TimeProvider.System), media,
            NullLoggerFactory.Instance);
        _clip = await FaceClipAsync(Path.Combine(_folder, "face.mp4"), seconds: 3);
    }

    public async Task DisposeAsync()
    {
        await _sessions.DisposeAsync();
        await _batcher.DisposeAsync();
        _analyzer.Dispose();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task Run_ClipWithAFace_TrackIsPublishedBetweenTheRunsBeginAndEnd_AndTheClipPlaysAgain()
    {
        _sessions.Start("gate", new CameraFeed(_clip, AnalysisFps: 4));

        await Poll.UntilAsync(() => _publisher.Calls("gate").Count(c => c == "begin") >= 2, Deadline, "the clip played to its end and began again");
        await _sessions.StopAsync("gate");

        var calls = _publisher.Calls("gate");
        var firstRun = calls.Take(calls.IndexOf("end") + 1).ToList();
        Assert.Equal("begin", firstRun[0]);
        Assert.Equal("Started", firstRun[1]);
        Assert.Equal(["Ended", "end"], firstRun[^2..]);
        Assert.All(firstRun[2..^2], c => Assert.Equal("Updated", c));
        Assert.Equal(calls.Count(c => c == "begin"), calls.Count(c => c == "end")); // every run closed, the stopped one too
        Assert.Null(_sessions.Snapshot("gate"));
    }

    [Fact]
    public async Task Stop_WhileATrackIsOpen_ItEndsAfterTheStopReason_AndTheSessionIsGone()
    {
        var longClip = await FaceClipAsync(Path.Combine(_folder, "long.mp4"), seconds: 30);
        _sessions.Start("door", new CameraFeed(longClip, AnalysisFps: 4));
        await Poll.UntilAsync(() => _publisher.Calls("door").Contains("Started"), Deadline, "the face's track started");
        Assert.Equal(HealthState.Streaming, _sessions.Snapshot("door")?.Health);

        await _sessions.StopAsync("door");

        var calls = _publisher.Calls("door");
        Assert.True(calls.IndexOf("stopping:Stopped") < calls.IndexOf("Ended"), string.Join(", ", calls));
        Assert.Equal("end", calls[^1]);
        Assert.Null(_sessions.Snapshot("door"));
        Assert.Null(_sessions.Preview("door"));
    }

    [Fact]
    public async Task StopAll_EndsTracksAsShutdown_AndStartsNoSessionAfterwards()
    {
        var longClip = await FaceClipAsync(Path.Combine(_folder, "long.mp4"), seconds: 30);
        _sessions.Start("hall", new CameraFeed(longClip, AnalysisFps: 4));
        await Poll.UntilAsync(() => _publisher.Calls("hall").Contains("Started"), Deadline, "the face's track started");

        await _sessions.StopAllAsync();
        _sessions.Start("hall", new CameraFeed(longClip, AnalysisFps: 4));

        Assert.Contains("stopping:Shutdown", _publisher.Calls("hall"));
        Assert.Null(_sessions.Snapshot("hall"));
    }

    [Fact]
    public async Task Run_MissingFile_IsFailedWithItsReasonAndNextTry_AndEachRunIsClosed()
    {
        _sessions.Start("yard", new CameraFeed(Path.Combine(_folder, "no-such-clip.mp4"), AnalysisFps: 2));

        await Poll.UntilAsync(() => _sessions.Snapshot("yard") is { Health: HealthState.Failed, RetryAt: not null, Reason.Length: > 0 },
            Deadline, "the camera is failed with a reason and a next try");
        await Poll.UntilAsync(() => _publisher.Calls("yard").Count(c => c == "end") >= 2, Deadline, "the camera was retried");
        await _sessions.StopAsync("yard");

        var calls = _publisher.Calls("yard");
        Assert.DoesNotContain(calls, c => c is "Started" or "Updated" or "Ended");
        Assert.Equal(calls.Count(c => c == "begin"), calls.Count(c => c == "end"));
    }

    /// <summary>A black clip at 10 fps with a white 100-pixel square in it throughout.</summary>
    private static Task<string> FaceClipAsync(string path, double seconds) =>
        TestVideos.RunAsync(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", string.Create(CultureInfo.InvariantCulture, $"color=c=black:s=320x240:r=10:d={seconds},drawbox=x=110:y=70:w=100:h=100:color=white:t=fill"),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", TestVideos.OutputArgument(path)], path);

    /// <summary>What the sessions told the publisher, per camera, in order: begin, each notice's kind, stopping:reason, end.</summary>
    private sealed class RecordingPublisher : ITrackPublisher
    {
        private readonly Lock _gate = new();
        private readonly List<(string Camera, string Call)> _calls = [];

        public List<string> Calls(string cameraId)
        {
            lock (_gate) return _calls.Where(c => c.Camera == cameraId).Select(c => c.Call).ToList();
        }

        public Task BeginRunAsync(string cameraId) => Record(cameraId, "begin");

        public Task PublishAsync(string cameraId, TrackNotice notice, CancellationToken ct) => Record(cameraId, notice.Kind.ToString());

        public void Stopping(string cameraId, CameraStopReason reason) => Record(cameraId, "stopping:" + reason);

        public Task EndRunAsync(string cameraId) => Record(cameraId, "end");

        private Task Record(string cameraId, string call)
        {
            lock (_gate) _calls.Add((cameraId, call));
            return Task.CompletedTask;
        }
    }
}
