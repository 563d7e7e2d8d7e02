using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;

namespace VideoFace.Grains.Tracks;

/// <summary>
/// The session side of <see cref="ICameraTracksGrain"/>: each camera session takes an epoch when it starts (which ends
/// what the previous session left open), records its tracks as they open and close, and on the way out ends what is
/// still open with the reason it stopped for. Kept apart from the track publisher so its track handling stays readable.
/// </summary>
internal sealed partial class OpenTrackLedger(IGrainFactory grains, ILogger logger)
{
    private readonly ConcurrentDictionary<string, CameraEntry> _cameras = new(StringComparer.Ordinal);

    private ICameraTracksGrain Grain(string cameraId) => grains.GetGrain<ICameraTracksGrain>(cameraId);

    /// <summary>A session of the camera starts: the previous session's open tracks end as interrupted, this one takes the next epoch.</summary>
    public async Task BeginAsync(string cameraId)
    {
        var epoch = await Grain(cameraId).BeginSessionAsync();
        _cameras[cameraId] = new CameraEntry(epoch);
    }

    /// <summary>The session is being stopped: its tracks end from now on for <paramref name="reason"/>.</summary>
    public void Stopping(string cameraId, TrackEndReason reason)
    {
        if (_cameras.TryGetValue(cameraId, out var entry)) entry.Stopping = reason;
    }

    /// <summary>Why a track of the camera that ends now ended: the stop's reason while stopping, else it left the view.</summary>
    public TrackEndReason EndReason(string cameraId) =>
        _cameras.TryGetValue(cameraId, out var entry) && entry.Stopping is { } reason ? reason : TrackEndReason.Left;

    /// <summary>Records the track before its identity hears of it, so a crash in between leaves it for the next session to end.</summary>
    public async Task OpenedAsync(string cameraId, string identityId, TrackSighting s)
    {
        if (!_cameras.TryGetValue(cameraId, out var entry)) return;
        var track = new OpenTrack(s.TrackId, identityId, s.Start, s.End ?? s.Start, s.Similarity, s.ThumbnailKey, s.KeyframeKey, s.Incarnation);
        if (!await Grain(cameraId).OpenedAsync(entry.Epoch, track))
            throw new InvalidOperationException($"camera {cameraId}: session {entry.Epoch} was superseded by a newer session");
    }

    public Task SeenAsync(string cameraId, string trackId, DateTimeOffset lastSeen) =>
        _cameras.TryGetValue(cameraId, out var entry) ? Grain(cameraId).SeenAsync(entry.Epoch, trackId, lastSeen) : Task.CompletedTask;

    /// <summary>The track's identity was told it ended.</summary>
    public Task ClosedAsync(string cameraId, string trackId) =>
        _cameras.TryGetValue(cameraId, out var entry) ? Grain(cameraId).ClosedAsync(entry.Epoch, trackId) : Task.CompletedTask;

    /// <summary>
    /// The session's pipeline has ended (its own track ends delivered where possible): whatever is still open — a
    /// delivery that failed — is ended now with the stop's reason. A failure here is left to the next session start.
    /// </summary>
    public async Task EndAsync(string cameraId)
    {
        if (!_cameras.TryRemove(cameraId, out var entry)) return;
        try
        {
            await Grain(cameraId).CloseAllAsync(entry.Epoch, entry.Stopping ?? TrackEndReason.Interrupted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogEndFailed(logger, ex, cameraId, entry.Epoch);
        }
    }

    private sealed class CameraEntry(long epoch)
    {
        private int _stopping = -1;

        public long Epoch { get; } = epoch;

        // set by the stopping thread, read by the pipeline's while it ends its tracks
        public TrackEndReason? Stopping
        {
            get => Volatile.Read(ref _stopping) is var v and >= 0 ? (TrackEndReason)v : null;
            set => Volatile.Write(ref _stopping, value is { } r ? (int)r : -1);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: could not close the open tracks of session {Epoch}; the next session will")]
    private static partial void LogEndFailed(ILogger logger, Exception ex, string camera, long epoch);
}
