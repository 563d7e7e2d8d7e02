using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// The identity a track was matched to: an enrolled person, or an unknown identity (existing or new).
/// <see cref="Incarnation"/> tells this enrolment of the id from an erased one of the same id: everything a track
/// writes carries it, and a write for an erased incarnation is dropped (see <see cref="IGalleryGrain.IsErasedAsync"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.GalleryMatch")]
public sealed record GalleryMatch(
    [property: Id(0)] string IdentityId,
    [property: Id(1)] string? Name,
    [property: Id(2)] float Similarity,
    [property: Id(3)] bool IsNewUnknown,
    [property: Id(4)] long Incarnation = 0);

/// <summary>An enrolled person as the gallery keeps it.</summary>
[GenerateSerializer, Immutable, Alias("vf.EnrolledPerson")]
public sealed record EnrolledPerson(
    [property: Id(0)] string IdentityId,
    [property: Id(1)] string Name,
    [property: Id(2)] int Photos,
    [property: Id(3)] DateTimeOffset EnrolledAt);

/// <summary>Gallery settings.</summary>
[GenerateSerializer, Immutable, Alias("vf.GallerySettings")]
public sealed record GallerySettings(
    [property: Id(0)] float MatchThreshold,
    [property: Id(1)] float UnknownMergeThreshold,
    [property: Id(2)] string? EmbeddingSpace,
    [property: Id(3)] int Dimension);

/// <summary>
/// An identity being erased: its id and the incarnation that goes. Later enrolments of the same id get a higher
/// incarnation, so the tombstone drops only what belonged to this one. <see cref="MergedFrom"/>: the identities merged
/// into it before, erased with it (camera sessions may still report their open tracks under those ids).
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.IdentityTombstone")]
public sealed record IdentityTombstone(
    [property: Id(0)] string IdentityId,
    [property: Id(1)] long Incarnation,
    [property: Id(2)] DateTimeOffset ErasedAt,
    [property: Id(3)] IReadOnlyList<IdentityTombstone>? MergedFrom = null);

/// <summary>
/// A track's evidence so far, for the gallery's naming rule: its embedding (the mean of its best faces), how many
/// embedded faces it gathered and the quality of its best face; <see cref="Final"/> when the track ended (decide now).
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.TrackEvidence")]
public sealed record TrackEvidence(
    [property: Id(0)] string TrackId,
    [property: Id(1)] float[] Embedding,
    [property: Id(2)] int Faces,
    [property: Id(3)] float BestQuality,
    [property: Id(4)] bool Final);
