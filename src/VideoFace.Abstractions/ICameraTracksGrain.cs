using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// The open tracks of one camera (key: camera id), persisted as they open and close, owned by the camera's current
/// ingest session. Whoever starts the next session closes what the previous one left open, so a crash or a move to
/// another silo leaves no track (and no identity) "visible" for ever.
/// </summary>
public interface ICameraTracksGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a new session of the camera: every track the previous session left open is ended with
    /// <see cref="TrackEndReason.Interrupted"/> (its identity records the end and publishes Left); returns the new
    /// session's epoch, which the session passes with every later call.
    /// </summary>
    Task<long> BeginSessionAsync();

    /// <summary>A track of session <paramref name="epoch"/> opened; false when a newer session owns the camera (the caller is stale).</summary>
    Task<bool> OpenedAsync(long epoch, OpenTrack track);

    /// <summary>The track was still seen at <paramref name="lastSeen"/> (bounds the end time given to it if its session dies).</summary>
    Task SeenAsync(long epoch, string trackId, DateTimeOffset lastSeen);

    /// <summary>The track was ended and its identity told.</summary>
    Task ClosedAsync(long epoch, string trackId);

    /// <summary>
    /// Ends every open track of session <paramref name="epoch"/> (or of any session when null) with <paramref name="reason"/>:
    /// a stop or shutdown whose own track ends could not all be delivered, or a camera disabled or removed while its session
    /// was gone. Returns how many were ended.
    /// </summary>
    Task<int> CloseAllAsync(long? epoch, TrackEndReason reason);

    /// <summary>The open tracks and the current epoch (for operators and tests).</summary>
    Task<CameraTracks> GetAsync();
}

/// <summary>An open track as its camera's session recorded it: enough to end it at its identity without the session.</summary>
[GenerateSerializer, Immutable, Alias("vf.OpenTrack")]
public sealed record OpenTrack(
    [property: Id(0)] string TrackId,
    [property: Id(1)] string IdentityId,
    [property: Id(2)] DateTimeOffset Start,
    [property: Id(3)] DateTimeOffset LastSeen,
    [property: Id(4)] float Similarity,
    [property: Id(5)] string? ThumbnailKey,
    [property: Id(6)] string? KeyframeKey,
    [property: Id(7)] long Incarnation = 0);

/// <summary>A camera's session epoch and its open tracks.</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraTracks")]
public sealed record CameraTracks(
    [property: Id(0)] long Epoch,
    [property: Id(1)] IReadOnlyList<OpenTrack> Open);
