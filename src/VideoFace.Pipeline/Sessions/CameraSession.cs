using Microsoft.Extensions.Logging;
using VideoFace.Media;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;

namespace VideoFace.Pipeline.Sessions;

/// <summary>
/// One camera's ingest on this silo for as long as its grain wants it: runs a pipeline over a fresh source, and when that
/// ends by itself — the source failed for good (refused URL, 404, bad credentials, too many reconnects) or a file
/// played to its end — runs a new one after a delay that doubles with each consecutive failure (jittered, capped, reset
/// by a run that streamed for <see cref="MediaOptions.ReconnectResetAfter"/>). While it fails its health keeps the last
/// failure's reason and the time of the next try.
/// </summary>
internal sealed partial class CameraSession
{
    private readonly string _cameraId;
    private readonly MediaOptions _options;
    private readonly Func<(IFrameSource Source, CameraPipeline Pipeline)> _create;
    private readonly ITrackPublisher _tracks;
    private readonly Action<CameraIngestStatus> _observe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly Lock _gate = new();
    private (IFrameSource Source, CameraPipeline Pipeline) _current;
    private int _failures;
    private string? _lastFailure;
    private DateTimeOffset? _retryAt;

    /// <param name="observe">Called with the session's status after each pipeline status and after each failed run.</param>
    public CameraSession(string cameraId, CameraFeed feed, MediaOptions options, Func<(IFrameSource, CameraPipeline)> create,
        ITrackPublisher tracks, Action<CameraIngestStatus> observe, TimeProvider time, ILogger logger)
    {
        _cameraId = cameraId;
        Feed = feed;
        _options = options;
        _create = create;
        _tracks = tracks;
        _observe = observe;
        _time = time;
        _logger = logger;
        _backoff = ReconnectBackoff.From(options);
        _current = create();
    }

    public CameraFeed Feed { get; }

    public CancellationTokenSource Cts { get; } = new();

    public Task Run { get; private set; } = Task.CompletedTask;

    public IFrameSource Source
    {
        get { lock (_gate) return _current.Source; }
    }

    public CameraPipeline Pipeline
    {
        get { lock (_gate) return _current.Pipeline; }
    }

    public void Start() => Run = Task.Run(() => LoopAsync(Cts.Token));

    /// <summary>
    /// The camera's status as its grain and the API show it: the running pipeline's <paramref name="s"/>, except that
    /// idle reads as connecting and ended as stopped, and while the camera fails (a retry is pending, or the retry has not
    /// streamed yet) the reason is the last failure's, never empty.
    /// </summary>
    public CameraIngestStatus Status(CameraIngestStatus s)
    {
        var health = s.Health switch
        {
            HealthState.Idle => HealthState.Connecting,
            HealthState.Ended => HealthState.Stopped,
            var h => h,
        };
        lock (_gate)
        {
            if (_retryAt is not null && _failures > 0) health = HealthState.Failed; // waiting out the delay before the next try
            return s with
            {
                Health = health,
                Reason = s.Reason ?? (_failures > 0 && health != HealthState.Streaming ? _lastFailure : null),
                RetryAt = s.RetryAt ?? _retryAt,
            };
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (true)
        {
            var (source, pipeline) = Current();
            try
            {
                // the previous session's tracks (a crash, another silo) end before this one opens any
                await _tracks.BeginRunAsync(_cameraId);
                await pipeline.RunAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(_logger, ex, _cameraId);
                lock (_gate) _lastFailure = ex.Message;
            }
            finally
            {
                await source.DisposeAsync();
                await _tracks.EndRunAsync(_cameraId);
            }
            if (ct.IsCancellationRequested) return;

            var delay = NextDelay(source);
            lock (_gate) _retryAt = _time.GetUtcNow() + delay;
            LogRetry(_logger, _cameraId, delay.TotalSeconds, _failures, _lastFailure ?? "");
            Observe(pipeline.Status);
            try
            {
                await Task.Delay(delay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var next = _create();
            lock (_gate)
            {
                _current = next;
                _retryAt = null;
            }
        }
    }

    private (IFrameSource Source, CameraPipeline Pipeline) Current()
    {
        lock (_gate) return _current;
    }

    /// <summary>The delay before the next run: the initial one after a file played to its end, else growing with consecutive failures.</summary>
    private TimeSpan NextDelay(IFrameSource source)
    {
        var health = source.Health;
        lock (_gate)
        {
            if (LongestStreaming(source.HealthHistory, _time.GetUtcNow()) >= _options.ReconnectResetAfter) _failures = 0;
            if (health.State == HealthState.Ended && health.Reason == HealthReason.EndOfStream)
            {
                // a file registered as a camera plays again, like a camera that keeps showing the same scene
                _failures = 0;
                _lastFailure = null;
                return _options.ReconnectInitialDelay;
            }
            _failures++;
            _lastFailure = health.Reason == HealthReason.None ? _lastFailure ?? health.State.ToString()
                : health.Message is { Length: > 0 } m ? $"{health.Reason}: {m}" : health.Reason.ToString();
            return _backoff.Delay(_failures);
        }
    }

    private static TimeSpan LongestStreaming(IReadOnlyList<SourceHealth> history, DateTimeOffset now)
    {
        var longest = TimeSpan.Zero;
        for (int i = 0; i < history.Count; i++)
        {
            if (history[i].State != HealthState.Streaming) continue;
            var until = i + 1 < history.Count ? history[i + 1].Since : now;
            if (until - history[i].Since > longest) longest = until - history[i].Since;
        }
        return longest;
    }

    /// <summary>Hands the session's status for <paramref name="status"/> of its pipeline to the observer.</summary>
    public void Observe(CameraIngestStatus status) => _observe(Status(status));

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: session failed")]
    private static partial void LogRunFailed(ILogger logger, Exception ex, string camera);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: next try in {Seconds:0.#} s (failure {Failures} in a row: {Reason})")]
    private static partial void LogRetry(ILogger logger, string camera, double seconds, int failures, string reason);
}
