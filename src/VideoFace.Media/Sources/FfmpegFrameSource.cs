using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;

namespace VideoFace.Media.Sources;

/// <summary>
/// A frame source decoded by ffmpeg: opens the input, restarts it after stalls and drops with exponential backoff,
/// fails fast on permanent errors, and falls back from CUDA to software decoding.
/// </summary>
public sealed class FfmpegFrameSource : IFrameSource
{
    private readonly MediaLocation _location;
    private readonly Security.UrlPolicy? _policy;
    private readonly MediaOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IGpuDetector _gpu;
    private readonly HealthTracker _health;
    private readonly FramePool _pool = new();
    private readonly FrameQueue _queue;
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<int> _processIds = [];
    private StreamInfo? _stream;
    private Task? _pump;
    private long _decoded;
    private long _sequence = -1;
    private int _sessions;
    private long _streamingSinceTicks; // UTC ticks of the current ffmpeg run's first frame; 0 before it
    private bool _cudaFailed;
    private int _disposed;

    /// <param name="policy">When set, checked before every ffmpeg start (host names are resolved again each time): a
    /// refused input fails the source with <see cref="HealthReason.Refused"/> and ffmpeg never runs.</param>
    public FfmpegFrameSource(string urlOrPath, MediaOptions options, ILogger<FfmpegFrameSource>? logger = null,
        TimeProvider? time = null, IGpuDetector? gpu = null, Security.UrlPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _location = MediaLocation.Parse(urlOrPath);
        _policy = policy;
        _options = options.Clone();
        _logger = logger ?? NullLogger<FfmpegFrameSource>.Instance;
        _time = time ?? TimeProvider.System;
        _gpu = gpu ?? NvidiaDeviceDetector.Instance;
        _health = new HealthTracker(_location.Redacted, _time, _logger);
        _health.Changed += h => HealthChanged?.Invoke(this, h);
        var live = _options.Live ?? _location.IsLiveByDefault;
        var dropOldest = _options.BackPressure == BackPressureMode.DropOldest || (_options.BackPressure == BackPressureMode.Auto && live);
        _queue = new FrameQueue(_options.QueueCapacity, dropOldest);
        _backoff = ReconnectBackoff.From(_options);
    }

    public string Source => _location.Redacted;

    public MediaLocation Location => _location;

    public SourceHealth Health => _health.Current;

    public IReadOnlyList<SourceHealth> HealthHistory => _health.History;

    public StreamInfo? Stream => Volatile.Read(ref _stream);

    public FrameSourceCounters Counters => new(Interlocked.Read(ref _decoded), _queue.Dropped, Volatile.Read(ref _sessions));

    /// <summary>Frames handed out and not yet disposed (pool buffers in use).</summary>
    public long FramesOutstanding => _pool.Outstanding;

    /// <summary>Ids of every ffmpeg process this source started (for leak checks).</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get { lock (_processIds) return _processIds.ToArray(); }
    }

    public event EventHandler<SourceHealth>? HealthChanged;

    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (Interlocked.CompareExchange(ref _pump, Task.CompletedTask, null) is not null)
            throw new InvalidOperationException("A frame source has a single reader.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        using var stopOnCancel = ct.Register(() => _lifetime.Cancel());
        _pump = Task.Run(() => PumpAsync(_lifetime.Token), CancellationToken.None);
        await foreach (var frame in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            yield return frame;
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        var attempt = 0;
        _health.Set(HealthState.Connecting);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Interlocked.Exchange(ref _streamingSinceTicks, 0);
                var outcome = await RunSessionAsync(ct).ConfigureAwait(false);
                if (ct.IsCancellationRequested) break;
                // only a run that streamed for a while resets the delays: a camera that drops after a few frames each time
                // would otherwise be restarted every ReconnectInitialDelay for ever
                if (outcome.Frames > 0 && StreamedFor() >= _options.ReconnectResetAfter) attempt = 0;

                if (UseCuda && outcome.Frames == 0 && outcome.Reason is HealthReason.HardwareDecode or HealthReason.Codec or HealthReason.ProcessError)
                {
                    _cudaFailed = true;
                    _logger.CudaFallback(Source, outcome.Message);
                    _health.Set(HealthState.Connecting, HealthReason.HardwareDecode, outcome.Message);
                    continue;
                }

                var live = _options.Live ?? _location.IsLiveByDefault;
                if (!live && outcome.Reason == HealthReason.EndOfStream && outcome.Frames > 0)
                {
                    _health.Set(HealthState.Ended, HealthReason.EndOfStream, outcome.Message);
                    return;
                }
                // A live camera that streamed is never failed for good by one bad session; files and first contacts are.
                // Garbage from a camera is often a transient state (rebooting, half-sent SDP), so live sources retry it.
                var permanent = outcome.Reason.IsPermanent() && !(live && outcome.Reason == HealthReason.InvalidData);
                if (!live || (permanent && outcome.Frames == 0))
                {
                    _health.Set(HealthState.Failed, outcome.Reason, outcome.Message);
                    return;
                }

                attempt++;
                if (_options.MaxReconnectAttempts >= 0 && attempt > _options.MaxReconnectAttempts)
                {
                    _health.Set(HealthState.Failed, outcome.Reason, outcome.Message);
                    return;
                }
                var delay = _backoff.Delay(attempt);
                _health.Set(HealthState.Reconnecting, outcome.Reason, outcome.Message, _time.GetUtcNow() + delay);
                _logger.ReconnectScheduled(Source, delay, attempt);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
            _logger.SessionCrashed(Source, e);
            _health.Set(HealthState.Failed, HealthReason.ProcessError, e.Message);
            return;
        }
        finally
        {
            _queue.Complete();
        }
        _health.Set(HealthState.Stopped, HealthReason.Cancelled);
    }

    /// <summary>How long the current ffmpeg run has delivered frames (zero before its first frame).</summary>
    private TimeSpan StreamedFor() =>
        Interlocked.Read(ref _streamingSinceTicks) is var t and > 0 ? _time.GetUtcNow() - new DateTimeOffset(t, TimeSpan.Zero) : TimeSpan.Zero;

    private bool UseCuda => !_cudaFailed && _options.HardwareDecode switch
    {
        HardwareDecode.Cuda => true,
        HardwareDecode.Auto => _gpu.HasNvidiaGpu,
        _ => false,
    };

    private async Task<SessionOutcome> RunSessionAsync(CancellationToken ct)
    {
        if (_policy is not null && await _policy.CheckCameraAsync(_location.Value, ct).ConfigureAwait(false) is { } refusal)
            return new SessionOutcome(0, HealthReason.Refused, refusal.Message, null);
        Interlocked.Increment(ref _sessions);
        var useCuda = UseCuda;
        if (useCuda) _logger.UsingCuda(Source);
        var callbacks = new DecodeSession.Callbacks(
            ProcessStarted: pid => { lock (_processIds) _processIds.Add(pid); },
            StreamOpened: info => Volatile.Write(ref _stream, info),
            FirstFrame: () =>
            {
                Interlocked.Exchange(ref _streamingSinceTicks, _time.GetUtcNow().UtcTicks);
                _health.Set(HealthState.Streaming);
            },
            Stalled: () => _health.Set(HealthState.Stalled, HealthReason.Stalled, $"no frame for {_options.StallTimeout.TotalSeconds:0.#} s"),
            NextSequence: () =>
            {
                Interlocked.Increment(ref _decoded);
                return Interlocked.Increment(ref _sequence);
            },
            CurrentStream: () => Volatile.Read(ref _stream));
        if (Health.State is HealthState.Reconnecting or HealthState.Stalled)
            _health.Set(HealthState.Connecting, Health.Reason, Health.Message);
        return await new DecodeSession(_location, _options, useCuda, _pool, _queue, _time, _logger, callbacks).RunAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stops decoding, kills ffmpeg and waits for it, and returns the buffers of unread frames.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        var pump = _pump;
        if (pump is not null) await pump.ConfigureAwait(false);
        _queue.Complete();
        _queue.Drain();
        _lifetime.Dispose();
    }
}
