using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Grains.Gallery;
using VideoFace.Pipeline.Inference;
using VideoFace.Index;
using VideoFace.Pipeline;
using VideoFace.Pipeline.Sessions;
using VideoFace.Storage;
using VideoFace.Tracking;
using TrackEndReason = VideoFace.Abstractions.TrackEndReason;

namespace VideoFace.Grains.Tracks;

/// <summary>
/// The one place a finished track is written, for every camera session on this silo: each notice stores the thumbnail
/// and keyframe (blobs), lets <see cref="TrackNaming"/> decide the track's identity on its evidence so far (gallery;
/// reported to the identity once decided, moved if re-decided), and writes the track's sighting to the index; the end
/// closes the sighting. A run's tracks are recorded in the camera's open tracks (<see cref="OpenTrackLedger"/>), so what
/// a run leaves open is ended by the next. Tracks of an erased identity are undone and write nothing more.
/// </summary>
public sealed partial class TrackPublisher(
    IGrainFactory grains,
    IInferenceDevices devices,
    IBlobStore blobs,
    ILoggerFactory loggers,
    GalleryReplica replica,
    ISightingIndex? index = null) : ITrackPublisher
{
    // the keyframe each open track has in the blob store: a notice repeats it until the best face changes
    private readonly ConcurrentDictionary<string, Keyframe> _storedKeyframes = new(StringComparer.Ordinal);
    // the tracks whose identity was erased since they were named
    private readonly ConcurrentDictionary<string, byte> _erasedTracks = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<TrackPublisher>();
    private readonly TrackNaming _naming = new(grains, loggers.CreateLogger<TrackNaming>(),
        new OpenTrackLedger(grains, loggers.CreateLogger<OpenTrackLedger>()), replica);

    /// <summary>Called with each track notice after it was handled (for metrics and latency measurements), with the
    /// gallery's answer when the notice decided the track's identity or changed it.</summary>
    public event Action<string, TrackNotice, GalleryMatch?>? TrackHandled;

    /// <summary>The identity a running track carries now (for previews), or null while it is undecided.</summary>
    public TrackLabel? Label(string trackId) => _naming.Label(trackId);

    public Task BeginRunAsync(string cameraId) => _naming.Ledger.BeginAsync(cameraId);

    public void Stopping(string cameraId, CameraStopReason reason) =>
        _naming.Ledger.Stopping(cameraId, reason == CameraStopReason.Shutdown ? TrackEndReason.Shutdown : TrackEndReason.Stopped);

    public Task EndRunAsync(string cameraId) => _naming.Ledger.EndAsync(cameraId);

    public async Task PublishAsync(string cameraId, TrackNotice notice, CancellationToken ct)
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
        if (!ended && _naming.Label(track.Id) is not null) await _naming.Ledger.SeenAsync(cameraId, track.Id, track.LastSeen);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: track {Track} belonged to erased identity {Identity}; its data is deleted and it writes nothing more")]
    private static partial void LogErasedTrack(ILogger logger, string camera, string track, string identity);
}
