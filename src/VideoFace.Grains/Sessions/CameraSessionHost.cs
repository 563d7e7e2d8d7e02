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
using TrackEndReason = VideoFace.Abstractions.TrackEndReason;

namespace VideoFace.Grains.Sessions;

/// <summary>
/// Runs this silo's camera pipelines and turns their track notices into grain calls: each notice stores the thumbnail
/// and keyframe, lets <see cref="TrackNaming"/> decide the track's identity on its evidence so far (reported to the
/// identity once decided, moved if re-decided), and writes the track's sighting to the index; the end closes the
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
    private readonly ConcurrentDictionary<string, CameraSession> _sessions = new(StringComparer.Ordinal);
    // the keyframe each open track has in the blob store: a notice repeats it until the best face changes
    private readonly ConcurrentDictionary<string, Keyframe> _storedKeyframes = new(StringComparer.Ordinal);
    // the tracks whose identity was erased since they were named
    private readonly ConcurrentDictionary<string, byte> _erasedTracks = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<CameraSessionHost>();
    private readonly TrackNaming _naming = new(grains, loggers.CreateLogger<TrackNaming>(),
        new OpenTrackLedger(grains, loggers.CreateLogger<OpenTrackLedger>()));
    // the camera's open-track record, kept by the naming as it reports tracks to identities
    private OpenTrackLedger _ledger => _naming.Ledger;
    private volatile bool _closing;

    /// <summary>Called with each track notice after it was handled (for metrics and latency measurements), with the
    /// gallery's answer when the notice decided the track's identity or changed it.</summary>
    public event Action<string, TrackNotice, GalleryMatch?>? TrackHandled;

    public void Start(string cameraId, CameraConfig config)
    {
        // the silo is stopping: camera grains' timers and the watchdog must not bring sessions back
        if (_closing) return;
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
        CameraSession? session = null;
        session = new CameraSession(cameraId, config, options, () =>
            {
                var source = new FfmpegFrameSource(config.Url, options, loggers.CreateLogger<FfmpegFrameSource>(), policy: urlPolicy);
                var pipeline = new CameraPipeline(cameraId, source, devices.Get(), trackers.Create(cameraId), this, TimeProvider.System,
                    loggers.CreateLogger<CameraPipeline>());
                return (source, pipeline);
            },
            _ledger, report => ReportIfRunning(cameraId, session!, report), TimeProvider.System, _logger);
        if (!_sessions.TryAdd(cameraId, session))
        {
            session.Cts.Dispose();
            _ = session.Source.DisposeAsync();
            return;
        }
        session.Start();
        LogSessionStarted(_logger, cameraId, session.Source.Source.Split('?')[0], config.AnalysisFps);
    }

    /// <summary>Stops the session; its open tracks end as <see cref="TrackEndReason.Stopped"/>.</summary>
    public Task StopAsync(string cameraId) => StopAsync(cameraId, TrackEndReason.Stopped);

    private async Task StopAsync(string cameraId, TrackEndReason reason)
    {
        if (!_sessions.TryRemove(cameraId, out var s)) return;
        _ledger.Stopping(cameraId, reason);
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
    /// Silo shutdown: stops every session and refuses new ones; open tracks end as <see cref="TrackEndReason.Shutdown"/> and
    /// their identities hear of it. Runs while the silo still takes grain calls (<see cref="CameraSessionShutdown"/>).
    /// </summary>
    public async Task StopAllAsync()
    {
        _closing = true;
        await Task.WhenAll(_sessions.Keys.ToList().Select(id => StopAsync(id, TrackEndReason.Shutdown)));
    }

    /// <summary>Counters of every session on this silo (for metrics): decoded frames, ffmpeg sessions, the pipeline's status.</summary>
    public IReadOnlyList<(string Camera, FrameSourceCounters Source, CameraPipelineStatus Pipeline)> Counters() =>
        _sessions.Select(kv => (kv.Key, kv.Value.Source.Counters, kv.Value.Pipeline.Status)).ToList();

    public CameraReport? Snapshot(string cameraId) =>
        _sessions.TryGetValue(cameraId, out var s) ? s.Report(s.Pipeline.Status) : null;

    public CameraPreview? Preview(string cameraId)
    {
        if (!_sessions.TryGetValue(cameraId, out var s) || s.Pipeline.Preview() is not { } p) return null;
        var faces = p.Faces.Select(f =>
        {
            var id = f.TrackId is { } t ? _naming.Label(t) : null;
            return new CameraPreviewFace(f.Box.X1, f.Box.Y1, f.Box.Width, f.Box.Height, f.Score, f.TrackId, id?.IdentityId, id?.Name);
        }).ToList();
        return new CameraPreview(p.Jpeg, p.Width, p.Height, p.CapturedAt, faces);
    }

    public async Task OnTrackAsync(string cameraId, TrackNotice notice, CancellationToken ct)
    {
        // the gallery and identity grains called below join this trace (Orleans activity propagation)
        using var activity = VideoFaceActivities.Source.StartActivity(VideoFaceActivities.Track);
        activity?.SetTag(VideoFaceActivities.CameraTag, cameraId);
        activity?.SetTag("videoface.track.event", notice.Kind.ToString());
        var track = notice.Track;
        if (SkipErased(track.Id, notice.Kind)) return;
        // an erase since the last notice drops the track here, before the naming could hand it a new (unknown) identity
        // now that its person is gone from the gallery: what an erased person's track goes on reporting is dropped
        if (await UndoIfErasedAsync(cameraId, track.Id, ct))
        {
            if (notice.Kind == TrackEventKind.Ended) SkipErased(track.Id, notice.Kind);
            return;
        }
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
        var match = await _naming.DecideAsync(cameraId, notice, devices.Get().Analyzer.EmbeddingSpace, thumbKey, keyframeKey);
        bool ended = notice.Kind == TrackEventKind.Ended;
        await IndexAsync(cameraId, track, thumbKey, notice.Keyframe, ended, ct);
        if (!ended && _naming.Label(track.Id) is not null) await _ledger.SeenAsync(cameraId, track.Id, track.LastSeen);
        if (ended)
        {
            _storedKeyframes.TryRemove(track.Id, out _);
            await _naming.EndAsync(cameraId, track, thumbKey, keyframeKey);
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
    private async Task<bool> UndoIfErasedAsync(string cameraId, string trackId, CancellationToken ct)
    {
        if (_naming.Label(trackId) is not { } id) return false;
        if (!await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).IsErasedAsync(id.IdentityId, id.Incarnation)) return false;
        _erasedTracks[trackId] = 0;
        await blobs.DeleteAsync(BlobKeys.Thumbnail(cameraId, trackId), ct);
        await blobs.DeleteAsync(BlobKeys.Keyframe(cameraId, trackId), ct);
        if (index is not null) await index.DeleteAsync([trackId], ct);
        // its camera's open-track record goes too: a takeover must not report the erased track to anyone
        await _naming.ForgetAsync(cameraId, trackId);
        LogErasedTrack(_logger, cameraId, trackId, id.IdentityId);
        return true;
    }

    private void ForgetTrack(string trackId) => _storedKeyframes.TryRemove(trackId, out _);

    /// <summary>Writes (or rewrites) the track's sighting in the vector index: one point per track, updated as it improves.</summary>
    private async Task IndexAsync(string cameraId, TrackSnapshot track, string? thumbKey, Keyframe? keyframe, bool ended, CancellationToken ct)
    {
        if (index is null || track.Embedding is not { } embedding) return;
        // an undecided track is indexed without an identity; a decided (or re-decided) one with its current identity
        var id = _naming.Label(track.Id);
        PixelBox? box = keyframe is { Box: var b } ? new PixelBox(b.X1, b.Y1, b.Width, b.Height) : null;
        await index.UpsertAsync([new Sighting(track.Id, embedding, cameraId, track.StartTime, ended ? track.LastSeen : null, track.Id,
            id?.IdentityId, id?.Name, id?.Similarity ?? 0, thumbKey ?? BlobKeys.Thumbnail(cameraId, track.Id),
            keyframe is null ? null : BlobKeys.Keyframe(cameraId, track.Id), box)], ct);
    }

    public Task OnStatusAsync(string cameraId, CameraPipelineStatus status, CancellationToken ct) =>
        _sessions.TryGetValue(cameraId, out var s) ? ReportIfRunning(cameraId, s, s.Report(status)) : Task.CompletedTask;

    // A session its camera grain is stopping (removed from the table first) reports nothing: the grain is awaiting
    // StopAsync and, being non-reentrant, would only take the report after the stop timed out (30 s deadlock).
    private Task ReportIfRunning(string cameraId, CameraSession session, CameraReport report) =>
        _sessions.TryGetValue(cameraId, out var current) && ReferenceEquals(current, session)
            ? grains.GetGrain<ICameraGrain>(cameraId).ReportAsync(report)
            : Task.CompletedTask;

    public async ValueTask DisposeAsync() => await StopAllAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: session started ({Url} at {Fps} fps)")]
    private static partial void LogSessionStarted(ILogger logger, string camera, string url, double fps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: track {Track} belonged to erased identity {Identity}; its data is deleted and it writes nothing more")]
    private static partial void LogErasedTrack(ILogger logger, string camera, string track, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: session did not stop within 30 s")]
    private static partial void LogStopSlow(ILogger logger, string camera);
}
