using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using VideoFace.Vision;
using VideoFace.Vision.Detection;

namespace VideoFace.Pipeline;

/// <summary>Limits of one device's batcher.</summary>
public sealed class InferenceBatcherOptions
{
    /// <summary>Most aligned crops per embedder call (across all cameras).</summary>
    public int MaxBatch { get; set; } = 32;

    /// <summary>How long the device waits for more work once it has some, to fill a batch.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Requests queued beyond this make callers wait (back-pressure to the cameras).</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>
    /// Run every model once at its largest batch before the first request (<see cref="FaceAnalyzer.WarmUp"/>), so the
    /// inference runtime's memory is at its ceiling from the start instead of growing at each new largest batch.
    /// </summary>
    public bool WarmUp { get; set; } = true;

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (MaxBatch < 1) e.Add($"Inference:MaxBatch must be at least 1 (was {MaxBatch})");
        if (MaxWait < TimeSpan.Zero || MaxWait > TimeSpan.FromSeconds(1)) e.Add($"Inference:MaxWait must be between 0 and 1 s (was {MaxWait})");
        if (QueueCapacity < 1) e.Add($"Inference:QueueCapacity must be at least 1 (was {QueueCapacity})");
        return e;
    }
}

/// <summary>A detected face with its 5 alignment key points.</summary>
public sealed record LocatedFace(FaceBox Box, float Score, Point2f[] Keypoints);

/// <summary>A located face with its normed embedding and the sharpness of its aligned crop.</summary>
public sealed record EmbeddedFace(LocatedFace Face, float[] Embedding, float? Sharpness = null);

/// <summary>A located face with the sharpness and thumbprint of its aligned crop, and its normed embedding when it was
/// chosen for embedding (null otherwise).</summary>
public sealed record AnalysedFace(LocatedFace Face, float Sharpness, float[] Thumbprint, float[]? Embedding = null);

/// <summary>
/// One inference device shared by every camera on the silo: a single worker runs detection requests one frame at a
/// time (the shipped detectors take one image) and gathers the aligned crops of all pending embedding requests from
/// all cameras into one embedder call, waiting at most <see cref="InferenceBatcherOptions.MaxWait"/> to fill it.
/// Frames never leave the caller's process; only the worker touches the models.
/// </summary>
public sealed partial class InferenceBatcher : IAsyncDisposable
{
    private readonly FaceAnalyzer _analyzer;
    private readonly InferenceBatcherOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Request> _queue;
    private readonly Task _worker;
    private readonly CancellationTokenSource _stop = new();
    private long _batches, _faces;

    public InferenceBatcher(FaceAnalyzer analyzer, InferenceBatcherOptions options, string device = "cpu", ILogger<InferenceBatcher>? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
        _analyzer = analyzer;
        _options = options;
        Device = device;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true });
        _worker = Task.Factory.StartNew(RunAsync, TaskCreationOptions.LongRunning).Unwrap();
    }

    public string Device { get; }

    public FaceAnalyzer Analyzer => _analyzer;

    /// <summary>Embedder calls made so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Faces embedded so far.</summary>
    public long FacesEmbedded => Interlocked.Read(ref _faces);

    /// <summary>Faces of a BGR frame with key points, largest first. The frame must stay alive until the task completes.</summary>
    public async Task<IReadOnlyList<LocatedFace>> DetectAsync(Mat bgr, CancellationToken ct = default)
    {
        var request = new DetectRequest(bgr);
        await _queue.Writer.WriteAsync(request, ct).ConfigureAwait(false);
        return await WaitAsync(request, request.Completion.Task, ct).ConfigureAwait(false);
    }

    /// <summary>Normed embeddings of aligned crops, computed in a batch with other cameras' crops. Crops must stay alive until done.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<Mat> alignedCrops, CancellationToken ct = default)
    {
        if (alignedCrops.Count == 0) return [];
        var request = new EmbedRequest(alignedCrops);
        await _queue.Writer.WriteAsync(request, ct).ConfigureAwait(false);
        return await WaitAsync(request, request.Completion.Task, ct).ConfigureAwait(false);
    }

    /// <summary>Detect, align and embed every face of a frame (largest first) through the shared device.</summary>
    public async Task<IReadOnlyList<EmbeddedFace>> AnalyzeAsync(Mat bgr, int maxFaces = 0, CancellationToken ct = default)
    {
        var located = await DetectAsync(bgr, ct).ConfigureAwait(false);
        if (maxFaces > 0 && located.Count > maxFaces) located = located.Take(maxFaces).ToList();
        if (located.Count == 0) return [];
        var crops = located.Select(f => Vision.Alignment.FaceAligner.Align(bgr, f.Keypoints, _analyzer.Embedder.InputSize)).ToList();
        try
        {
            // measured on the crops the embedder gets, while the device works on other requests
            var sharpness = crops.Select(Vision.Quality.FaceSharpness.Measure).ToList();
            var embeddings = await EmbedAsync(crops, ct).ConfigureAwait(false);
            return located.Select((f, i) => new EmbeddedFace(f, embeddings[i], sharpness[i])).ToList();
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>
    /// Detect and align every face of a frame (largest first), then embed only the faces <paramref name="choose"/> picks
    /// (one flag per face, given the faces with their crops' sharpness and thumbprint), through the shared device.
    /// </summary>
    public async Task<IReadOnlyList<AnalysedFace>> AnalyzeAsync(Mat bgr,
        Func<IReadOnlyList<AnalysedFace>, CancellationToken, ValueTask<IReadOnlyList<bool>>> choose, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(choose);
        var located = await DetectAsync(bgr, ct).ConfigureAwait(false);
        if (located.Count == 0) return [];
        var crops = located.Select(f => Vision.Alignment.FaceAligner.Align(bgr, f.Keypoints, _analyzer.Embedder.InputSize)).ToList();
        try
        {
            var faces = located.Select((f, i) => new AnalysedFace(f, Vision.Quality.FaceSharpness.Measure(crops[i]),
                Vision.Quality.FaceThumbprint.Measure(crops[i]))).ToList();
            var chosen = await choose(faces, ct).ConfigureAwait(false);
            var picked = Enumerable.Range(0, faces.Count).Where(i => i < chosen.Count && chosen[i]).ToList();
            PipelineInstruments.FacesNotEmbeddedCounter.Add(faces.Count - picked.Count);
            var embeddings = await EmbedAsync(picked.ConvertAll(i => crops[i]), ct).ConfigureAwait(false);
            for (int k = 0; k < picked.Count; k++) faces[picked[k]] = faces[picked[k]] with { Embedding = embeddings[k] };
            return faces;
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>
    /// Waits for a queued request. Cancellation marks it so the worker skips it, but the caller still waits until the
    /// worker is done with it: the caller owns the Mats and may free them as soon as this returns, so returning while
    /// the worker reads them in native code would be a use-after-free.
    /// </summary>
    private static async Task<T> WaitAsync<T>(Request request, Task<T> completion, CancellationToken ct)
    {
        using (ct.Register(static r => ((Request)r!).Cancel(), request))
        {
            try
            {
                return await completion.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>();
        if (_options.WarmUp) WarmUpModels();
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                int crops = 0;
                var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
                while (true)
                {
                    while (crops < _options.MaxBatch && reader.TryRead(out var r))
                    {
                        batch.Add(r);
                        if (r is EmbedRequest e) crops += e.Crops.Count;
                    }
                    // only embedding work gains from waiting; detection runs per frame anyway
                    if (crops == 0 || crops >= _options.MaxBatch || Stopwatch.GetTimestamp() >= deadline) break;
                    await Task.Delay(1).ConfigureAwait(false);
                }
                Process(batch);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        while (reader.TryRead(out var left)) left.Fail(new ObjectDisposedException(nameof(InferenceBatcher)));
    }

    /// <summary>On the worker, before any request: requests queue meanwhile, the silo's start does not wait.</summary>
    private void WarmUpModels()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            _analyzer.WarmUp();
            LogWarmedUp(_logger, Device, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // not fatal: the arenas then grow with the traffic, as they would without a warm-up
            LogWarmUpFailed(_logger, ex, Device);
        }
    }

    private void Process(List<Request> batch)
    {
        // requests whose caller gave up are completed as cancelled without touching their Mats
        foreach (var r in batch) if (r.IsCancelled) r.Fail(new OperationCanceledException());
        batch.RemoveAll(r => r.IsCancelled);
        foreach (var d in batch.OfType<DetectRequest>())
        {
            try
            {
                PipelineInstruments.QueueWaitHistogram.Record(d.Waited.TotalMilliseconds);
                var started = Stopwatch.GetTimestamp();
                var faces = _analyzer.Detect(d.Frame).OrderByDescending(f => f.Box.Area).ToList();
                var kps = faces.Count == 0 ? [] : _analyzer.KeypointsOf(d.Frame, faces);
                PipelineInstruments.DetectLatencyHistogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                PipelineInstruments.FacesDetectedCounter.Add(faces.Count);
                d.Completion.TrySetResult(faces.Select((f, i) => new LocatedFace(f.Box, f.Score, kps[i])).ToList());
                PipelineInstruments.FramesAnalyzedCounter.Add(1);
            }
            catch (Exception ex)
            {
                d.Completion.TrySetException(ex);
            }
        }
        var embeds = batch.OfType<EmbedRequest>().ToList();
        if (embeds.Count == 0) return;
        try
        {
            var all = embeds.SelectMany(e => e.Crops).ToList();
            var started = Stopwatch.GetTimestamp();
            var results = _analyzer.EmbedAligned(all);
            PipelineInstruments.EmbedLatencyHistogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            PipelineInstruments.BatchFillHistogram.Record((double)all.Count / _options.MaxBatch);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _faces, all.Count);
            PipelineInstruments.BatchSizeHistogram.Record(all.Count);
            PipelineInstruments.FacesEmbeddedCounter.Add(all.Count);
            int offset = 0;
            foreach (var e in embeds)
            {
                PipelineInstruments.QueueWaitHistogram.Record(e.Waited.TotalMilliseconds);
                e.Completion.TrySetResult(results.Skip(offset).Take(e.Crops.Count).Select(r => r.Normed).ToArray());
                offset += e.Crops.Count;
            }
        }
        catch (Exception ex)
        {
            LogBatchFailed(_logger, ex, embeds.Sum(e => e.Crops.Count));
            foreach (var e in embeds) e.Completion.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private abstract class Request
    {
        private readonly long _queuedAt = Stopwatch.GetTimestamp();
        private int _cancelled;
        public TimeSpan Waited => Stopwatch.GetElapsedTime(_queuedAt);
        public bool IsCancelled => Volatile.Read(ref _cancelled) == 1;
        public void Cancel() => Volatile.Write(ref _cancelled, 1);
        public abstract void Fail(Exception ex);
    }

    private sealed class DetectRequest(Mat frame) : Request
    {
        public Mat Frame { get; } = frame;
        public TaskCompletionSource<IReadOnlyList<LocatedFace>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override void Fail(Exception ex) => Completion.TrySetException(ex);
    }

    private sealed class EmbedRequest(IReadOnlyList<Mat> crops) : Request
    {
        public IReadOnlyList<Mat> Crops { get; } = crops;
        public TaskCompletionSource<float[][]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override void Fail(Exception ex) => Completion.TrySetException(ex);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference device {Device} warmed up at its largest batch in {Milliseconds:0} ms")]
    private static partial void LogWarmedUp(ILogger logger, string device, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inference device {Device} could not be warmed up; its memory will grow with the first large batches instead")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception ex, string device);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedding batch of {Crops} crops failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, int crops);
}
