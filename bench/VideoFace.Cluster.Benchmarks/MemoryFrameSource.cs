using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>
/// Replays decoded frames held in memory, so the benchmark measures analysis and the grains, not decoding.
/// Unpaced (<c>paceFps</c> 0): a frame whenever the pipeline asks, frame times advancing at the clip's rate.
/// Paced: a live camera — frames appear at <c>paceFps</c> wall-clock into a 4-frame queue that drops the oldest,
/// like <see cref="FfmpegFrameSource"/> does for live inputs.
/// </summary>
internal sealed class MemoryFrameSource : IFrameSource
{
    // VideoFrame.CaptureTime has an internal setter and FromBgr leaves it at default(DateTimeOffset); the tracker runs on
    // frame time, so an in-memory source must set it.
    private static readonly MethodInfo SetCaptureTime =
        typeof(VideoFrame).GetProperty(nameof(VideoFrame.CaptureTime))!.GetSetMethod(nonPublic: true)!;

    private readonly DecodedClip _clip;
    private readonly double _paceFps;
    private readonly TimeSpan _duration;
    private readonly bool _loop;
    private readonly TimeSpan _startDelay;
    private readonly List<SourceHealth> _history = [];
    private readonly CancellationTokenSource _stop = new();
    private SourceHealth _health = SourceHealth.Initial(DateTimeOffset.UtcNow);
    private long _delivered, _dropped;

    /// <param name="duration">Wall-clock time after which the sequence ends (unbounded when <paramref name="loop"/> is false and the clip ends first).</param>
    /// <param name="loop">Play the clip forwards and backwards endlessly (motion stays continuous); otherwise once.</param>
    public MemoryFrameSource(string name, DecodedClip clip, double paceFps, TimeSpan duration, bool loop, TimeSpan startDelay = default)
    {
        Source = name;
        _clip = clip;
        _paceFps = paceFps;
        _duration = duration;
        _loop = loop;
        _startDelay = startDelay;
    }

    public string Source { get; }

    public SourceHealth Health => _health;

    public IReadOnlyList<SourceHealth> HealthHistory => _history;

    public StreamInfo? Stream => new("rawvideo", _clip.Width, _clip.Height, _clip.Fps);

    public FrameSourceCounters Counters => new(Interlocked.Read(ref _delivered), Interlocked.Read(ref _dropped), 1);

    /// <summary>When the pipeline asked for a frame after the end (i.e. finished analysing the last one).</summary>
    public DateTimeOffset? FinishedAt { get; private set; }

    public event EventHandler<SourceHealth>? HealthChanged;

    public IAsyncEnumerable<VideoFrame> ReadFramesAsync(CancellationToken ct = default) =>
        _paceFps > 0 ? PacedAsync(ct) : UnpacedAsync(ct);

    private async IAsyncEnumerable<VideoFrame> UnpacedAsync([EnumeratorCancellation] CancellationToken ct)
    {
        Set(HealthState.Streaming);
        var start = DateTimeOffset.UtcNow;
        var deadline = start + _duration;
        for (long i = 0; (_loop || i < _clip.Frames.Count) && DateTimeOffset.UtcNow < deadline && !ct.IsCancellationRequested; i++)
        {
            Interlocked.Increment(ref _delivered);
            yield return Frame(i, start + TimeSpan.FromSeconds(i / _clip.Fps));
        }
        FinishedAt = DateTimeOffset.UtcNow;
        Set(HealthState.Ended);
        await Task.CompletedTask;
    }

    private async IAsyncEnumerable<VideoFrame> PacedAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var queue = Channel.CreateBounded<VideoFrame>(
            new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped => { Interlocked.Increment(ref _dropped); dropped.Dispose(); });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        var producer = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_startDelay, stop.Token);
                Set(HealthState.Streaming);
                var start = DateTimeOffset.UtcNow;
                for (long i = 0; (_loop || i < _clip.Frames.Count) && !stop.IsCancellationRequested; i++)
                {
                    var due = start + TimeSpan.FromSeconds(i / _paceFps);
                    if (due - start > _duration) break;
                    var wait = due - DateTimeOffset.UtcNow;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, stop.Token);
                    Interlocked.Increment(ref _delivered);
                    queue.Writer.TryWrite(Frame(i, DateTimeOffset.UtcNow));
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                queue.Writer.TryComplete();
            }
        }, CancellationToken.None);
        await foreach (var frame in queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (_stop.IsCancellationRequested) break;
            yield return frame;
        }
        FinishedAt = DateTimeOffset.UtcNow;
        await stop.CancelAsync();
        await producer;
        Set(HealthState.Ended);
    }

    /// <summary>The i-th frame of the replay (ping-pong when looping), wrapping the shared pixels without copying.</summary>
    private VideoFrame Frame(long i, DateTimeOffset captureTime)
    {
        int index = _loop ? PingPong(i, _clip.Frames.Count) : (int)i;
        var frame = VideoFrame.FromBgr(_clip.Frames[index], _clip.Width, _clip.Height);
        SetCaptureTime.Invoke(frame, [captureTime]);
        return frame;
    }

    /// <summary>
    /// Ends the sequence after the frame being analysed, without cancelling the pipeline: cancelling it abandons requests
    /// still queued in the InferenceBatcher whose frames and crops the pipeline then disposes (see the report).
    /// </summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Index of the i-th frame when n frames are played forwards, backwards, forwards, …</summary>
    public static int PingPong(long i, int n)
    {
        long period = Math.Max(1, 2L * n - 2);
        long k = i % period;
        return (int)(k < n ? k : period - k);
    }

    private void Set(HealthState state)
    {
        _health = new SourceHealth(state, HealthReason.None, null, DateTimeOffset.UtcNow);
        lock (_history) _history.Add(_health);
        HealthChanged?.Invoke(this, _health);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
