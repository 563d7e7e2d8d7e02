using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Grains.Cameras;
using VideoFace.Grains.Inference;
using VideoFace.Index;
using VideoFace.Media;
using VideoFace.Media.Security;
using VideoFace.Media.Sources;
using VideoFace.Pipeline;
using VideoFace.Storage;
using VideoFace.Tracking;

namespace VideoFace.Grains.Sessions;

/// <summary>
/// Runs this silo's camera pipelines and turns their track notices into grain calls: a confirmed track is matched
/// once against the gallery and reported to its identity; updates refresh the thumbnail and keyframe; the end closes the
/// sighting. Also answers for its cameras' previews (the latest analysed frame stays here, in the session).
/// </summary>
public sealed partial class CameraSessionHost(
    IGrainFactory grains,
    IInferenceDevices devices,
    IFaceTrackerFactory trackers,
    IBlobStore blobs,
    MediaOptions mediaDefaults,
    ILoggerFactory loggers,
    ISightingIndex? index = null,
    UrlPolicy? urlPolicy = null) : ICameraSessionHost, ITrackSink, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string IdentityId, string? Name, float Similarity)> _trackIdentity = new(StringComparer.Ordinal);
    // the keyframe each open track has in the blob store: a notice repeats it until the best face changes
    private readonly ConcurrentDictionary<string, Keyframe> _storedKeyframes = new(StringComparer.Ordinal);
    // the incarnation of the identity each track was matched to, and the tracks whose identity was erased since
    private readonly ConcurrentDictionary<string, long> _trackIncarnation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _erasedTracks = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<CameraSessionHost>();

    /// <summary>Called with each track notice after it was handled (for metrics and latency measurements).</summary>
    public event Action<string, TrackNotice, GalleryMatch?>? TrackHandled;

    public void Start(string cameraId, CameraConfig config)
    {
        if (_sessions.TryGetValue(cameraId, out var existing))
        {
            if (existing.Config == config && !existing.Run.IsCompleted) return;
            _ = StopAsync(cameraId).ContinueWith(_ => Start(cameraId, config), TaskScheduler.Default);
            return;
        }
        var options = mediaDefaults.Clone();
        options.AnalysisFps = config.AnalysisFps;
        // a file registered as a camera plays like one: at its own pace, not as fast as it decodes
        options.ReadFileAtNativeRate = true;
        var source = new FfmpegFrameSource(config.Url, options, loggers.CreateLogger<FfmpegFrameSource>(), policy: urlPolicy);
        var pipeline = new CameraPipeline(cameraId, source, devices.Get(), trackers.Create(cameraId), this, TimeProvider.System,
            loggers.CreateLogger<CameraPipeline>());
        var cts = new CancellationTokenSource();
        var session = new Session(config, source, pipeline, cts);
        if (!_sessions.TryAdd(cameraId, session))
        {
            cts.Dispose();
            _ = source.DisposeAsync();
            return;
        }
        session.Run = Task.Run(async () =>
        {
            try
            {
                await pipeline.RunAsync(cts.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSessionFailed(_logger, ex, cameraId);
            }
            finally
            {
                await source.DisposeAsync();
                // a session that ended by itself (file end, permanent failure) leaves; the camera grain decides on a restart
                if (!cts.IsCancellationRequested) _sessions.TryRemove(new KeyValuePair<string, Session>(cameraId, session));
            }
        });
        LogSessionStarted(_logger, cameraId, source.Source.Split('?')[0], config.AnalysisFps);
    }

    public async Task StopAsync(string cameraId)
    {
        if (!_sessions.TryRemove(cameraId, out var s)) return;
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

    /// <summary>Counters of every session on this silo (for metrics): decoded frames, ffmpeg sessions, the pipeline's status.</summary>
    public IReadOnlyList<(string Camera, FrameSourceCounters Source, CameraPipelineStatus Pipeline)> Counters() =>
        _sessions.Select(kv => (kv.Key, kv.Value.Source.Counters, kv.Value.Pipeline.Status)).ToList();

    public CameraReport? Snapshot(string cameraId) =>
        _sessions.TryGetValue(cameraId, out var s) ? ToReport(s.Pipeline.Status) : null;

    public CameraPreview? Preview(string cameraId)
    {
        if (!_sessions.TryGetValue(cameraId, out var s) || s.Pipeline.Preview() is not { } p) return null;
        var faces = p.Faces.Select(f =>
        {
            (string IdentityId, string? Name, float Similarity)? id =
                f.TrackId is { } t && _trackIdentity.TryGetValue(t, out var known) ? known : null;
            return new CameraPreviewFace(f.Box.X1, f.Box.Y1, f.Box.Width, f.Box.Height, f.Score, f.TrackId, id?.IdentityId, id?.Name);
        }).ToList();
        return new CameraPreview(p.Jpeg, p.Width, p.Height, p.CapturedAt, faces);
    }

    public async Task OnTrackAsync(string cameraId, TrackNotice notice, CancellationToken ct)
    {
        // the gallery and identity grains called below join this trace (Orleans activity propagation)
        using var activity = VideoFaceActivities.Source.StartActivity("videoface.track");
        activity?.SetTag("videoface.camera", cameraId);
        activity?.SetTag("videoface.track.event", notice.Kind.ToString());
        var track = notice.Track;
        if (SkipErased(track.Id, notice.Kind)) return;
        string? thumbKey = null;
        if (notice.Thumbnail is { } jpeg)
        {
            thumbKey = BlobKeys.Thumbnail(cameraId, track.Id);
            await blobs.PutAsync(thumbKey, jpeg, "image/jpeg", ct);
        }
        string? keyframeKey = null;
        if (notice.Keyframe is { } keyframe)
        {
            keyframeKey = BlobKeys.Keyframe(cameraId, track.Id);
            // written when the best face changed, not again with every notice that repeats it
            if (!_storedKeyframes.TryGetValue(track.Id, out var stored) || !ReferenceEquals(stored, keyframe))
            {
                await blobs.PutAsync(keyframeKey, keyframe.Jpeg, "image/jpeg", ct);
                _storedKeyframes[track.Id] = keyframe;
            }
        }
        GalleryMatch? match = null;
        switch (notice.Kind)
        {
            case TrackEventKind.Started:
                if (track.Embedding is not { } embedding) break;
                match = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery)
                    .MatchTrackAsync(embedding, devices.Get().Analyzer.EmbeddingSpace);
                _trackIdentity[track.Id] = (match.IdentityId, match.Name, match.Similarity);
                _trackIncarnation[track.Id] = match.Incarnation;
                await grains.GetGrain<IIdentityGrain>(match.IdentityId)
                    .TrackStartedAsync(new TrackSighting(cameraId, track.Id, track.StartTime, null, match.Similarity, thumbKey, keyframeKey, match.Incarnation));
                await IndexAsync(cameraId, track, thumbKey, notice.Keyframe, ended: false, ct);
                break;
            case TrackEventKind.Updated:
                await IndexAsync(cameraId, track, thumbKey, notice.Keyframe, ended: false, ct);
                break;
            case TrackEventKind.Ended:
                _storedKeyframes.TryRemove(track.Id, out _);
                await IndexAsync(cameraId, track, thumbKey, notice.Keyframe, ended: true, ct);
                if (_trackIdentity.TryGetValue(track.Id, out var id))
                {
                    await grains.GetGrain<IIdentityGrain>(id.IdentityId)
                        .TrackEndedAsync(new TrackSighting(cameraId, track.Id, track.StartTime, track.LastSeen, id.Similarity, thumbKey, keyframeKey,
                            _trackIncarnation.GetValueOrDefault(track.Id)));
                }
                break;
        }
        // checked after the writes: an erase that began before this check is seen here and what was written is undone;
        // one that began after it finds the writes in the stores it cleans (the tombstone comes before the cleaning)
        await UndoIfErasedAsync(cameraId, track.Id, ct);
        if (notice.Kind == TrackEventKind.Ended) ForgetTrack(track.Id);
        TrackHandled?.Invoke(cameraId, notice, match);
    }

    /// <summary>True for a notice of a track whose identity was erased: nothing of it is written any more.</summary>
    private bool SkipErased(string trackId, TrackEventKind kind)
    {
        if (!_erasedTracks.ContainsKey(trackId)) return false;
        if (kind == TrackEventKind.Ended)
        {
            _erasedTracks.TryRemove(trackId, out _);
            ForgetTrack(trackId);
        }
        return true;
    }

    /// <summary>
    /// When the identity the track was matched to has been erased (the tombstone of its incarnation): deletes what the
    /// track wrote (its images and index point) and marks it, so that its later notices write nothing.
    /// </summary>
    private async Task UndoIfErasedAsync(string cameraId, string trackId, CancellationToken ct)
    {
        if (!_trackIdentity.TryGetValue(trackId, out var id)) return;
        if (!await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).IsErasedAsync(id.IdentityId, _trackIncarnation.GetValueOrDefault(trackId))) return;
        _erasedTracks[trackId] = 0;
        await blobs.DeleteAsync(BlobKeys.Thumbnail(cameraId, trackId), ct);
        await blobs.DeleteAsync(BlobKeys.Keyframe(cameraId, trackId), ct);
        if (index is not null) await index.DeleteAsync([trackId], ct);
        _trackIdentity.TryRemove(trackId, out _);
        LogErasedTrack(_logger, cameraId, trackId, id.IdentityId);
    }

    private void ForgetTrack(string trackId)
    {
        _trackIdentity.TryRemove(trackId, out _);
        _trackIncarnation.TryRemove(trackId, out _);
        _storedKeyframes.TryRemove(trackId, out _);
    }

    /// <summary>Writes (or rewrites) the track's sighting in the vector index: one point per track, updated as it improves.</summary>
    private async Task IndexAsync(string cameraId, TrackSnapshot track, string? thumbKey, Keyframe? keyframe, bool ended, CancellationToken ct)
    {
        if (index is null || track.Embedding is not { } embedding) return;
        _trackIdentity.TryGetValue(track.Id, out var id);
        PixelBox? box = keyframe is { Box: var b } ? new PixelBox(b.X1, b.Y1, b.Width, b.Height) : null;
        await index.UpsertAsync([new Sighting(track.Id, embedding, cameraId, track.StartTime, ended ? track.LastSeen : null, track.Id,
            id.IdentityId, id.Name, id.Similarity, thumbKey ?? BlobKeys.Thumbnail(cameraId, track.Id),
            keyframe is null ? null : BlobKeys.Keyframe(cameraId, track.Id), box)], ct);
    }

    public Task OnStatusAsync(string cameraId, CameraPipelineStatus status, CancellationToken ct) =>
        // A session its camera grain is stopping (removed from the table first) reports nothing: the grain is awaiting
        // StopAsync and, being non-reentrant, would only take the report after the stop timed out (30 s deadlock).
        _sessions.ContainsKey(cameraId)
            ? grains.GetGrain<ICameraGrain>(cameraId).ReportAsync(ToReport(status))
            : Task.CompletedTask;

    private static CameraReport ToReport(CameraPipelineStatus s) => new(
        Enum.TryParse<CameraHealthState>(s.State, out var h) ? h : s.State == "Ended" ? CameraHealthState.Stopped : CameraHealthState.Connecting,
        s.Reason, s.FramesAnalyzed, s.FacesDetected, s.TracksStarted, s.LastFrameAt, s.FramesDropped);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_sessions.Keys.ToList().Select(StopAsync));
    }

    private sealed class Session(CameraConfig config, IFrameSource source, CameraPipeline pipeline, CancellationTokenSource cts)
    {
        public CameraConfig Config { get; } = config;
        public IFrameSource Source { get; } = source;
        public CameraPipeline Pipeline { get; } = pipeline;
        public CancellationTokenSource Cts { get; } = cts;
        public Task Run { get; set; } = Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: session started ({Url} at {Fps} fps)")]
    private static partial void LogSessionStarted(ILogger logger, string camera, string url, double fps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: track {Track} belonged to erased identity {Identity}; its data is deleted and it writes nothing more")]
    private static partial void LogErasedTrack(ILogger logger, string camera, string track, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: session failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception ex, string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: session did not stop within 30 s")]
    private static partial void LogStopSlow(ILogger logger, string camera);
}
