using VideoFace.Abstractions;

namespace VideoFace.Grains.Identity;

/// <summary>Persisted state of an identity grain.</summary>
[GenerateSerializer, Alias("vf.IdentityState")]
public sealed record IdentityState
{
    [Id(0)] public string? Name { get; set; }

    /// <summary>Track history, oldest first, capped at <see cref="IdentityTimeline.MaxHistory"/>.</summary>
    [Id(1)] public List<TrackSighting> History { get; set; } = [];

    /// <summary>Tracks seen started but not ended: track id → camera id.</summary>
    [Id(2)] public Dictionary<string, string> OpenTracks { get; set; } = new(StringComparer.Ordinal);

    [Id(3)] public string? LastCamera { get; set; }
    [Id(4)] public int Sightings { get; set; }
    [Id(5)] public HashSet<string> Cameras { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public DateTimeOffset? FirstSeen { get; set; }
    [Id(7)] public DateTimeOffset? LastSeen { get; set; }

    /// <summary>Set when merged into another identity: later track reports are forwarded there.</summary>
    [Id(8)] public string? MergedInto { get; set; }

    /// <summary>Set when erased (person deleted): later track reports are dropped until the identity is named again.</summary>
    [Id(9)] public bool Erased { get; set; }

    /// <summary>
    /// The newest erased incarnation of this id: track reports of it or an older one are dropped for good, also once
    /// the id is enrolled again (a track matched before the erase keeps reporting while it stays in view).
    /// </summary>
    [Id(10)] public long? ErasedThrough { get; set; }

    /// <summary>
    /// Events written with the state change that caused them and not yet on the stream, oldest first: a silo lost
    /// between the two sends them at the next activation, under the same event ids, so consumers can drop a copy.
    /// </summary>
    [Id(11)] public List<IdentityEvent> Outbox { get; set; } = [];

    /// <summary>A report of this track is dropped: the identity is erased, or the track matched an erased incarnation of it.</summary>
    public bool Refuses(TrackSighting sighting) => Erased || ErasedThrough is { } erased && sighting.Incarnation <= erased;

    /// <summary>
    /// The id named afresh after an erase or a merge (a person enrolled again under the same name): a new record that
    /// keeps only what must outlive them, the erased incarnation and the events still to publish.
    /// </summary>
    public IdentityState Renewed(string? name) => new() { Name = name, ErasedThrough = ErasedThrough, Outbox = Outbox };

    /// <summary>The id after an erase of <paramref name="incarnation"/>: nothing of it stays, its unsent events neither.</summary>
    public IdentityState ErasedThroughIncarnation(long incarnation) =>
        new() { Erased = true, ErasedThrough = Math.Max(incarnation, ErasedThrough ?? long.MinValue) };

    /// <summary>The id after a merge into <paramref name="targetId"/>: it forwards, and still publishes what it owes.</summary>
    public IdentityState MergedAway(string targetId) => new() { MergedInto = targetId, Outbox = Outbox };
}
