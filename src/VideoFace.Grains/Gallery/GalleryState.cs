using VideoFace.Abstractions;

namespace VideoFace.Grains.Gallery;

/// <summary>Persisted state of a gallery grain.</summary>
[GenerateSerializer, Alias("vf.GalleryState")]
public sealed class GalleryState
{
    [Id(0)] public Dictionary<string, GalleryPerson> Persons { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, UnknownIdentity> Unknowns { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public string? EmbeddingSpace { get; set; }
    [Id(3)] public int Dimension { get; set; }
    [Id(4)] public float? MatchThreshold { get; set; }
    [Id(5)] public float? UnknownMergeThreshold { get; set; }

    /// <summary>The newest incarnation handed out: each new person or unknown identity gets the next one.</summary>
    [Id(6)] public long LastIncarnation { get; set; }

    /// <summary>Erased identities: id → the newest erased incarnation (writes of it or older ones are dropped).</summary>
    [Id(7)] public Dictionary<string, IdentityTombstone> Tombstones { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Identities whose erase began and has not finished (re-run by a retried delete or the retention sweep).</summary>
    [Id(8)] public HashSet<string> Erasing { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Identities merged away: source id → where it went and its incarnation (an erase of the target takes them along).</summary>
    [Id(9)] public Dictionary<string, MergedIdentity> Merged { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>An identity merged into another one.</summary>
[GenerateSerializer, Alias("vf.MergedIdentity")]
public sealed class MergedIdentity
{
    [Id(0)] public string Target { get; set; } = "";
    [Id(1)] public long Incarnation { get; set; }
}

/// <summary>An enrolled person: the sum of their photos' normed embeddings (its direction is the person's embedding).</summary>
[GenerateSerializer, Alias("vf.GalleryPerson")]
public sealed class GalleryPerson
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public float[] Sum { get; set; } = [];
    [Id(2)] public int Photos { get; set; }
    [Id(3)] public DateTimeOffset EnrolledAt { get; set; }

    /// <summary>Which enrolment of the id this is (0 for persons enrolled before incarnations were kept).</summary>
    [Id(4)] public long Incarnation { get; set; }
}

/// <summary>An unknown identity: the sum of its tracks' embeddings, so each joining track moves the centroid.</summary>
[GenerateSerializer, Alias("vf.UnknownIdentity")]
public sealed class UnknownIdentity
{
    [Id(0)] public float[] Sum { get; set; } = [];
    [Id(1)] public int Tracks { get; set; }
    [Id(2)] public DateTimeOffset FirstSeen { get; set; }

    /// <summary>See <see cref="GalleryPerson.Incarnation"/>.</summary>
    [Id(3)] public long Incarnation { get; set; }
}
