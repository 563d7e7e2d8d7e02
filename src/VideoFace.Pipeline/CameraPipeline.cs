using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Output;
using VideoFace.Media.Sources;
using VideoFace.Tracking;
using VideoFace.Vision.Detection;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace VideoFace.Pipeline;

/// <summary>
/// One camera's analysis loop: frames from the source (already sampled to the analysis fps), faces from the shared
/// device batcher, tracks from the tracker; sends the sink only track-level notices and periodic status. Frames stay
/// in this process; only the best face's JPEG crop and its keyframe (the whole frame it came from) leave with a notice,
/// and the latest analysed frame is kept here for previews, encoded only when asked for.
/// </summary>
public sealed partial class CameraPipeline
{
    private readonly string _cameraId;
    private readonly IFrameSource _source;
    private readonly InferenceBatcher _batcher;
    private readonly IFaceTracker _tracker;
    private readonly ITrackSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, byte[]> _thumbnails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Keyframe> _keyframes = new(StringComparer.Ordinal);
    private readonly LatestFrame _latest = new();
    // the tracker and the per-track images are not thread-safe: the frame loop and housekeeping take turns
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _frames, _faces, _tracks, _open;
    private DateTimeOffset? _lastFrameAt;

    public CameraPipeline(string cameraId, IFrameSource source, InferenceBatcher batcher, IFaceTracker tracker, ITrackSink sink,
        TimeProvider? time = null, ILogger<CameraPipeline>? logger = null)
    {
        _cameraId = cameraId;
        _source = source;
        _batcher = batcher;
        _tracker = tracker;
        _sink = sink;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>How often status goes to the sink, and idle tracks are expired when no frame arrives.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Decides which faces are embedded (one per camera; null embeds every face, as its EveryFace mode does).</summary>
    public EmbedPolicy? EmbedPolicy { get; init; }

    /// <summary>The latest analysed frame as a JPEG with the faces found in it; null before the first frame.</summary>
    public FramePreview? Preview() => _latest.Render();

    /// <summary>The pipeline's status: its source's health as it is (idle and ended included), counters, the next reconnect.</summary>
    public CameraIngestStatus Status
    {
        get
        {
            var health = _source.Health;
            return new CameraIngestStatus(health.State, health.Message ?? (health.Reason == HealthReason.None ? null : health.Reason.ToString()),
                Interlocked.Read(ref _frames), Interlocked.Read(ref _faces), Interlocked.Read(ref _tracks), _source.Counters.Dropped,
                _lastFrameAt, health.RetryAt, Interlocked.Read(ref _open));
        }
    }

    /// <summary>Runs until the source ends or <paramref name="ct"/> is cancelled; open tracks are ended on the way out.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        // the camera's life is not part of the request that started it: each frame starts a trace of its own
        Activity.Current = null;
        using var ticker = new CancellationTokenSource();
        var housekeeping = HousekeepingAsync(CancellationTokenSource.CreateLinkedTokenSource(ct, ticker.Token).Token);
        try
        {
            await foreach (var frame in _source.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                using (frame)
                {
                    await AnalyzeAsync(frame, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await ticker.CancelAsync().ConfigureAwait(false);
            try { await housekeeping.ConfigureAwait(false); } catch (OperationCanceledException) { }
            // the camera stops: every open track ends now, so identities see Left
            await EmitAsync(_tracker.EndAll(_time.GetUtcNow()), _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            await SendStatusAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task AnalyzeAsync(VideoFrame frame, CancellationToken ct)
    {
        var decodedAt = _time.GetUtcNow();
        // one span per analysed frame: the track notices it leads to (and the grains they call) are its children
        using var activity = VideoFaceActivities.Source.StartActivity(VideoFaceActivities.Frame);
        activity?.SetTag(VideoFaceActivities.CameraTag, _cameraId);
        using var mat = frame.AsMat();
        float sx = (float)frame.ScaleX, sy = (float)frame.ScaleY;
        int fullW = (int)Math.Round(frame.Width * frame.ScaleX), fullH = (int)Math.Round(frame.Height * frame.ScaleY);
        FaceObservation Observe(AnalysedFace f) => new(f.Face.Box.Scale(sx, sy), f.Face.Score,
            f.Face.Keypoints.Select(p => new Point2f(p.X * sx, p.Y * sy)).ToArray(), f.Embedding, f.Sharpness);
        IReadOnlyList<AnalysedFace> faces;
        using (VideoFaceActivities.Source.StartActivity(VideoFaceActivities.Inference))
            faces = await _batcher.AnalyzeAsync(mat, (found, c) => ChooseAsync(found, frame.CaptureTime, fullW, fullH, Observe, c), ct)
                .ConfigureAwait(false);
        activity?.SetTag("videoface.faces", faces.Count);
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _faces, faces.Count);
        _lastFrameAt = frame.CaptureTime;
        var observations = faces.Select(Observe).ToList();
        var prints = faces.Select(f => (float[]?)f.Thumbprint).ToList();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var frameFaces = new FrameFaces(frame.CaptureTime, fullW, fullH, observations);
            var update = _tracker.Update(frameFaces);
            if (EmbedPolicy is { Mode: not EmbedMode.EveryFace } policy) policy.Observe(frameFaces, prints, update, _tracker.Tracks);
            var preview = new List<PreviewFace>(faces.Count);
            (byte[] Jpeg, int Width, int Height, double Scale)? scene = null;
            for (int i = 0; i < faces.Count; i++)
            {
                var a = i < update.Assignments.Count ? update.Assignments[i] : null;
                var box = faces[i].Face.Box;
                preview.Add(new PreviewFace(box, faces[i].Face.Score, a is { TrackId: not null, State: not TrackState.Tentative } ? a.TrackId : null));
                if (a?.TrackId is not { } trackId || !a.IsNewBestFace) continue;
                _thumbnails[trackId] = Thumbnail(mat, box);
                // one encoding of the frame serves every face that became its track's best in it
                scene ??= FrameJpeg.Encode(mat);
                var s = scene.Value;
                _keyframes[trackId] = new Keyframe(s.Jpeg, s.Width, s.Height, FrameJpeg.Map(box, s.Scale, s.Width, s.Height));
            }
            _latest.Update(frame.Pixels, frame.Width, frame.Height, frame.CaptureTime, preview);
            await EmitAsync(update.Events, decodedAt, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Which of a frame's faces to embed: all of them without a policy (or in its EveryFace mode), else the
    /// policy's choice against the tracker's tracks before this frame.</summary>
    private async ValueTask<IReadOnlyList<bool>> ChooseAsync(IReadOnlyList<AnalysedFace> found, DateTimeOffset time, int width, int height,
        Func<AnalysedFace, FaceObservation> observe, CancellationToken ct)
    {
        if (EmbedPolicy is not { Mode: not EmbedMode.EveryFace } policy) return Enumerable.Repeat(true, found.Count).ToArray();
        var frame = new FrameFaces(time, width, height, found.Select(observe).ToList());
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return policy.Decide(frame, found.Select(f => (float[]?)f.Thumbprint).ToList(), _tracker.Tracks)
                .Select(r => r != EmbedReason.Skip).ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EmitAsync(IReadOnlyList<TrackEvent> events, DateTimeOffset decodedAt, CancellationToken ct)
    {
        foreach (var e in events)
        {
            _thumbnails.TryGetValue(e.Track.Id, out var thumb);
            _keyframes.TryGetValue(e.Track.Id, out var keyframe);
            if (e.Kind == TrackEventKind.Started)
            {
                Interlocked.Increment(ref _tracks);
                Interlocked.Increment(ref _open);
            }
            if (e.Kind == TrackEventKind.Ended)
            {
                // only confirmed tracks end with an event, so this mirrors the Started count
                Interlocked.Decrement(ref _open);
                _thumbnails.Remove(e.Track.Id);
                _keyframes.Remove(e.Track.Id);
            }
            try
            {
                await _sink.OnTrackAsync(_cameraId, new TrackNotice(e.Kind, e.Track, thumb, decodedAt, keyframe), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // the cluster may be briefly unreachable; analysis goes on and the next notice of the track carries its state
                LogSinkFailed(_logger, ex, _cameraId, e.Track.Id, e.Kind);
            }
        }
    }

    private async Task HousekeepingAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(StatusInterval, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // tracks whose faces stopped arriving (camera stalled, nobody in view) still have to end
                await EmitAsync(_tracker.Expire(_time.GetUtcNow()), _time.GetUtcNow(), ct).ConfigureAwait(false);
                ForgetDroppedTracks();
            }
            finally
            {
                _gate.Release();
            }
            await SendStatusAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the images of tracks the tracker let go without an Ended event (tentative ones never confirmed).</summary>
    private void ForgetDroppedTracks()
    {
        if (_thumbnails.Count == 0 && _keyframes.Count == 0) return;
        var alive = _tracker.Tracks.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in _thumbnails.Keys.Where(id => !alive.Contains(id)).ToList()) _thumbnails.Remove(id);
        foreach (var id in _keyframes.Keys.Where(id => !alive.Contains(id)).ToList()) _keyframes.Remove(id);
    }

    private async Task SendStatusAsync(CancellationToken ct)
    {
        try
        {
            await _sink.OnStatusAsync(_cameraId, Status, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSinkFailed(_logger, ex, _cameraId, "-", TrackEventKind.Updated);
        }
    }

    /// <summary>The face with a margin around it, as a JPEG for the track's thumbnail.</summary>
    private static byte[] Thumbnail(Mat frame, FaceBox box)
    {
        float mx = box.Width * 0.25f, my = box.Height * 0.25f;
        var b = new FaceBox(box.X1 - mx, box.Y1 - my, box.X2 + mx, box.Y2 + my).Clip(frame.Cols, frame.Rows);
        var rect = new Rect((int)b.X1, (int)b.Y1, Math.Max(1, (int)b.Width), Math.Max(1, (int)b.Height));
        using var crop = new Mat(frame, rect);
        return JpegEncoder.Encode(crop, 85);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: could not deliver {Kind} of track {Track}")]
    private static partial void LogSinkFailed(ILogger logger, Exception ex, string camera, string track, TrackEventKind kind);
}
