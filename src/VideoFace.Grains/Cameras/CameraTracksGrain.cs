using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Index;

namespace VideoFace.Grains.Cameras;

/// <summary>Persisted state of a camera's open tracks.</summary>
[GenerateSerializer, Alias("vf.CameraTracksState")]
public sealed class CameraTracksState
{
    /// <summary>Epoch of the session that owns the camera's tracks; each session start takes the next one.</summary>
    [Id(0)] public long Epoch { get; set; }

    /// <summary>Tracks opened and not yet closed, by track id.</summary>
    [Id(1)] public Dictionary<string, OpenTrack> Open { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A camera's open tracks, written as they open and close so they outlive the session that ran them: the next
/// session of the camera (after a crash, a restart or a move to another silo) ends them as interrupted, and a camera
/// stopped without a running session ends them as stopped. Not placed with the camera grain on purpose: it must
/// answer when the camera's silo is gone.
/// </summary>
public sealed partial class CameraTracksGrain(
    [PersistentState("camera-tracks", Names.Storage)] IPersistentState<CameraTracksState> state,
    IServiceProvider services,
    ILogger<CameraTracksGrain> logger) : Grain, ICameraTracksGrain
{
    // a track's last-seen time is written at most this often: it only bounds the end time of an interrupted track
    private static readonly TimeSpan SeenWriteInterval = TimeSpan.FromSeconds(10);

    private CameraTracksState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public async Task<long> BeginSessionAsync()
    {
        int ended = await EndAsync(S.Open.Values.ToList(), TrackEndReason.Interrupted);
        S.Epoch++;
        await state.WriteStateAsync();
        if (ended > 0) LogInterrupted(logger, Id, ended, S.Epoch);
        return S.Epoch;
    }

    public async Task<bool> OpenedAsync(long epoch, OpenTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        if (epoch != S.Epoch)
        {
            LogStale(logger, Id, epoch, S.Epoch, track.TrackId);
            return false;
        }
        S.Open[track.TrackId] = track;
        await state.WriteStateAsync();
        return true;
    }

    public async Task SeenAsync(long epoch, string trackId, DateTimeOffset lastSeen)
    {
        if (epoch != S.Epoch || !S.Open.TryGetValue(trackId, out var track) || lastSeen <= track.LastSeen) return;
        var written = track.LastSeen;
        S.Open[trackId] = track with { LastSeen = lastSeen };
        if (lastSeen - written >= SeenWriteInterval) await state.WriteStateAsync();
    }

    public async Task ClosedAsync(long epoch, string trackId)
    {
        // a stale session's close is harmless: its tracks were already ended by the newer session
        if (S.Open.Remove(trackId)) await state.WriteStateAsync();
    }

    public async Task<int> CloseAllAsync(long? epoch, TrackEndReason reason)
    {
        if (epoch is { } e && e != S.Epoch) return 0;
        int ended = await EndAsync(S.Open.Values.ToList(), reason);
        if (ended > 0)
        {
            await state.WriteStateAsync();
            LogClosed(logger, Id, ended, reason);
        }
        return ended;
    }

    public Task<CameraTracks> GetAsync() =>
        Task.FromResult(new CameraTracks(S.Epoch, S.Open.Values.OrderBy(t => t.Start).ToList()));

    /// <summary>
    /// Ends each track at its identity (which records the end and publishes Left) and in the vector index; a track whose
    /// identity cannot be reached stays open here and is tried again by the next session start or stop.
    /// </summary>
    private async Task<int> EndAsync(IReadOnlyList<OpenTrack> tracks, TrackEndReason reason)
    {
        int ended = 0;
        var index = services.GetService<ISightingIndex>();
        foreach (var t in tracks)
        {
            try
            {
                await GrainFactory.GetGrain<IIdentityGrain>(t.IdentityId).TrackEndedAsync(
                    new TrackSighting(Id, t.TrackId, t.Start, t.LastSeen, t.Similarity, t.ThumbnailKey, t.KeyframeKey, t.Incarnation, reason));
                // the search index holds one point per track: it too must not show the track as still running
                if (index is not null && await index.GetAsync(t.TrackId) is { End: null } sighting)
                    await index.UpsertAsync([sighting with { End = t.LastSeen }]);
                S.Open.Remove(t.TrackId);
                ended++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogEndFailed(logger, ex, Id, t.TrackId, t.IdentityId);
            }
        }
        return ended;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: {Count} tracks left open by the previous session ended as interrupted (session {Epoch} starts)")]
    private static partial void LogInterrupted(ILogger logger, string camera, int count, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: {Count} open tracks ended ({Reason})")]
    private static partial void LogClosed(ILogger logger, string camera, int count, TrackEndReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: session {Epoch} opened track {Track} after session {Current} took over; ignored")]
    private static partial void LogStale(ILogger logger, string camera, long epoch, long current, string track);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: could not end track {Track} at identity {Identity}; kept open to retry")]
    private static partial void LogEndFailed(ILogger logger, Exception ex, string camera, string track, string identity);
}
