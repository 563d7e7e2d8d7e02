using Orleans;

namespace VideoFace.Abstractions;

/// <summary>A track as an identity sees it: where and when a person was seen.</summary>
[GenerateSerializer, Immutable, Alias("vf.TrackSighting")]
public sealed record TrackSighting(
    [property: Id(0)] string CameraId,
    [property: Id(1)] string TrackId,
    [property: Id(2)] DateTimeOffset Start,
    [property: Id(3)] DateTimeOffset? End,
    [property: Id(4)] float Similarity,
    [property: Id(5)] string? ThumbnailKey,
    [property: Id(6)] string? KeyframeKey = null,
    [property: Id(7)] long Incarnation = 0,
    [property: Id(8)] TrackEndReason? EndReason = null);

/// <summary>Why a track ended (null while it is open).</summary>
public enum TrackEndReason
{
    /// <summary>The face left the view (the tracker ended it).</summary>
    Left,
    /// <summary>The session that ran the track died (crash, silo lost); the next session of its camera closed it.</summary>
    Interrupted,
    /// <summary>The camera was disabled, reconfigured or removed.</summary>
    Stopped,
    /// <summary>The silo running the camera shut down.</summary>
    Shutdown,
}

/// <summary>Kinds of identity events.</summary>
public enum IdentityEventKind
{
    /// <summary>The person became visible (no other camera saw them at that moment).</summary>
    Appeared,
    /// <summary>The person is no longer visible on any camera.</summary>
    Left,
    /// <summary>The person appeared on another camera than the one they were last seen on.</summary>
    MovedCamera,
    /// <summary>A track reported for this identity was not this person after all: more evidence moved it to
    /// <see cref="IdentityEvent.MovedToIdentityId"/>. Earlier events of the track on this identity are void.</summary>
    Retracted,
    /// <summary>This identity was merged into <see cref="IdentityEvent.MovedToIdentityId"/> (an operator's merge): its
    /// history went there, the id forwards, and whatever refers to it (alert rules) should follow. <see cref="IdentityEvent.Name"/>
    /// is the merged identity's name; the event has no camera or track.</summary>
    Merged,
}

/// <summary>An identity event, published on the identity-events stream.</summary>
[GenerateSerializer, Immutable, Alias("vf.IdentityEvent")]
public sealed record IdentityEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] IdentityEventKind Kind,
    [property: Id(2)] string IdentityId,
    [property: Id(3)] string? Name,
    [property: Id(4)] string CameraId,
    [property: Id(5)] string? PreviousCameraId,
    [property: Id(6)] string TrackId,
    [property: Id(7)] DateTimeOffset Time,
    [property: Id(8)] float Similarity,
    [property: Id(9)] string? ThumbnailKey,
    [property: Id(10)] long Incarnation = 0,
    [property: Id(11)] string? MovedToIdentityId = null,
    [property: Id(12)] string? TraceParent = null);

/// <summary>An identity event as the durable event log keeps it: <see cref="Sequence"/> orders the log and never restarts.</summary>
[GenerateSerializer, Immutable, Alias("vf.LoggedIdentityEvent")]
public sealed record LoggedIdentityEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] IdentityEvent Event);

/// <summary>What erasing one identity deleted from its own records: history entries, vector-index points, images.</summary>
[GenerateSerializer, Immutable, Alias("vf.IdentityErasure")]
public sealed record IdentityErasure(
    [property: Id(0)] int HistoryEntries,
    [property: Id(1)] long IndexPoints,
    [property: Id(2)] int Blobs);

/// <summary>What an identity hands over when merged into another.</summary>
[GenerateSerializer, Immutable, Alias("vf.IdentityTransfer")]
public sealed record IdentityTransfer(
    [property: Id(0)] string FromId,
    [property: Id(1)] IReadOnlyList<TrackSighting> History,
    [property: Id(2)] IReadOnlyDictionary<string, string> OpenTracks,
    [property: Id(3)] int Sightings,
    [property: Id(4)] IReadOnlyList<string> Cameras,
    [property: Id(5)] DateTimeOffset? FirstSeen,
    [property: Id(6)] DateTimeOffset? LastSeen,
    [property: Id(7)] string? LastCamera);

/// <summary>One identity's summary: counts and where/when seen.</summary>
[GenerateSerializer, Immutable, Alias("vf.IdentitySummary")]
public sealed record IdentitySummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] int Sightings,
    [property: Id(3)] IReadOnlyList<string> Cameras,
    [property: Id(4)] DateTimeOffset? FirstSeen,
    [property: Id(5)] DateTimeOffset? LastSeen,
    [property: Id(6)] bool Visible);
