using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Media;
using VideoFace.Media.Health;
using VideoFace.Media.Security;
using VideoFace.Media.Sources;
using VideoFace.Tracking;

namespace VideoFace.Pipeline.Sessions;

/// <summary>
/// Runs this process's camera sessions: for each started camera an ffmpeg source and a <see cref="CameraPipeline"/> on
/// the shared inference batcher, run (and re-run after failures) by a <see cref="CameraSession"/>. Track notices go to
/// the <see cref="ITrackPublisher"/>; status stays here, read by <see cref="Snapshot"/>, and each change of a camera's
/// health is logged once. Also the sink of pipelines built around a session (evaluations, benchmarks).
/// </summary>
public sealed partial class CameraSessions(
    ITrackPublisher tracks,
    Func<InferenceBatcher> batcher,
    IFaceTrackerFactory trackers,
    MediaOptions mediaDefaults,
    ILoggerFactory loggers,
    UrlPolicy? urlPolicy = null) : ICameraSessions, ITrackSink, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, CameraSession> _sessions = new(StringComparer.Ordinal);
    // the health last logged per camera, so each change is logged once (a camera is stopped until it says otherwise)
    private readonly ConcurrentDictionary<string, HealthState> _logged = new(StringComparer.Ordinal);
    private readonly Lock _logGate = new();
    private readonly ILogger _logger = loggers.CreateLogger<CameraSessions>();
    private volatile bool _closing;

    public void Start(string cameraId, CameraFeed feed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cameraId);
        ArgumentNullException.ThrowIfNull(feed);
        // the process is stopping: its cameras' keep-alives must not bring sessions back
        if (_closing) return;
        if (_sessions.TryGetValue(cameraId, out var existing))
        {
            if (existing.Feed == feed && !existing.Run.IsCompleted) return;
            _ = StopAsync(cameraId).ContinueWith(_ => Start(cameraId, feed), TaskScheduler.Default);
            return;
        }
        var options = mediaDefaults.Clone();
        options.AnalysisFps = feed.AnalysisFps;
        // a file registered as a camera plays like one: at its own pace, not as fast as it decodes
        options.ReadFileAtNativeRate = true;
        var session = new CameraSession(cameraId, feed, options, () =>
            {
                var source = new FfmpegFrameSource(feed.Url, options, loggers.CreateLogger<FfmpegFrameSource>(), policy: urlPolicy);
                var pipeline = new CameraPipeline(cameraId, source, batcher(), trackers.Create(cameraId), this, TimeProvider.System,
                    loggers.CreateLogger<CameraPipeline>()) { EmbedPolicy = trackers.CreateEmbedPolicy() };
                return (source, pipeline);
            },
            tracks, status => LogIfChanged(cameraId, status), TimeProvider.System, _logger);
        if (!_sessions.TryAdd(cameraId, session))
        {
            session.Cts.Dispose();
            _ = session.Source.DisposeAsync();
            return;
        }
        session.Start();
        LogSessionStarted(_logger, cameraId, session.Source.Source.Split('?')[0], feed.AnalysisFps);
    }

    /// <summary>Stops the session; its open tracks end as stopped.</summary>
    public Task StopAsync(string cameraId) => StopAsync(cameraId, CameraStopReason.Stopped);

    private async Task StopAsync(string cameraId, CameraStopReason reason)
    {
        if (!_sessions.TryRemove(cameraId, out var s)) return;
        tracks.Stopping(cameraId, reason);
        await s.Cts.CancelAsync();
        try
        {
            await s.Run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            LogStopSlow(_logger, cameraId);
        }
        s.Cts.Dispose();
    }

    /// <summary>
    /// Process shutdown: stops every session and refuses new ones; open tracks end as <see cref="CameraStopReason.Shutdown"/>.
    /// Runs while the track publisher can still reach its stores (in the cluster: while the silo still takes grain calls).
    /// </summary>
    public async Task StopAllAsync()
    {
        _closing = true;
        await Task.WhenAll(_sessions.Keys.ToList().Select(id => StopAsync(id, CameraStopReason.Shutdown)));
    }

    /// <summary>Counters of every session here (for metrics): decoded frames, ffmpeg sessions, the pipeline's status.</summary>
    public IReadOnlyList<(string Camera, FrameSourceCounters Source, CameraIngestStatus Pipeline)> Counters() =>
        _sessions.Select(kv => (kv.Key, kv.Value.Source.Counters, kv.Value.Pipeline.Status)).ToList();

    public CameraIngestStatus? Snapshot(string cameraId) =>
        _sessions.TryGetValue(cameraId, out var s) ? s.Status(s.Pipeline.Status) : null;

    public FramePreview? Preview(string cameraId) =>
        _sessions.TryGetValue(cameraId, out var s) ? s.Pipeline.Preview() : null;

    public Task OnTrackAsync(string cameraId, TrackNotice notice, CancellationToken ct) => tracks.PublishAsync(cameraId, notice, ct);

    public Task OnStatusAsync(string cameraId, CameraIngestStatus status, CancellationToken ct)
    {
        if (_sessions.TryGetValue(cameraId, out var s)) s.Observe(status);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await StopAllAsync();

    // one line per state change of the camera (the media source logs its own transitions at Debug)
    private void LogIfChanged(string cameraId, CameraIngestStatus status)
    {
        HealthState previous;
        lock (_logGate)
        {
            previous = _logged.TryGetValue(cameraId, out var p) ? p : HealthState.Stopped;
            if (status.Health == previous) return;
            _logged[cameraId] = status.Health;
        }
        LogStateChanged(_logger, cameraId, previous, status.Health, status.Reason ?? "");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: session started ({Url} at {Fps} fps)")]
    private static partial void LogSessionStarted(ILogger logger, string camera, string url, double fps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: {From} -> {To} {Reason}")]
    private static partial void LogStateChanged(ILogger logger, string camera, HealthState from, HealthState to, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: session did not stop within 30 s")]
    private static partial void LogStopSlow(ILogger logger, string camera);
}
