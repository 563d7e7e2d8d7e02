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

/// <summary>
/// Outcome of an enrolment: the person (null when the photos were refused as outliers) and the photos that did not agree
/// (refused, or enrolled anyway because the caller forced it). <see cref="Threshold"/> is the cosine the check used.
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.EnrolmentResult")]
public sealed record EnrolmentResult(
    [property: Id(0)] EnrolledPerson? Person,
    [property: Id(1)] IReadOnlyList<EnrolmentPhotoOutlier> Outliers,
    [property: Id(2)] float Threshold);

/// <summary>An enrolment photo (by position in the batch) that does not agree with the others or with the enrolled person.</summary>
[GenerateSerializer, Immutable, Alias("vf.EnrolmentPhotoOutlier")]
public sealed record EnrolmentPhotoOutlier(
    [property: Id(0)] int Photo,
    [property: Id(1)] EnrolmentOutlierReason Reason,
    [property: Id(2)] float Similarity);

/// <summary>What an enrolment photo disagrees with.</summary>
[GenerateSerializer, Alias("vf.EnrolmentOutlierReason")]
public enum EnrolmentOutlierReason
{
    /// <summary>Unlike the person's enrolled embedding; the similarity is to that embedding.</summary>
    NotThePerson = 0,

    /// <summary>Apart from the batch's main group; the similarity is the best to a photo of that group.</summary>
    ApartFromBatch = 1,

    /// <summary>The batch splits into equally large groups (no photo group is clearly the person); the best similarity to any other photo.</summary>
    NoMainGroup = 2,
}

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
/// <see cref="LabelledByCaller"/>: the caller keeps the track's identity between calls and sends it as
/// <see cref="CurrentIdentityId"/> (a silo's track naming, whose replica names tracks of enrolled persons without the
/// gallery): the gallery then remembers only what a track added to an unknown identity.
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.TrackEvidence")]
public sealed record TrackEvidence(
    [property: Id(0)] string TrackId,
    [property: Id(1)] float[] Embedding,
    [property: Id(2)] int Faces,
    [property: Id(3)] float BestQuality,
    [property: Id(4)] bool Final,
    [property: Id(5)] bool LabelledByCaller = false,
    [property: Id(6)] string? CurrentIdentityId = null);

/// <summary>
/// An enrolled person as gallery replicas hold it: id, name, incarnation and the sum of the person's normed photo
/// embeddings (its direction is the person's embedding).
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.GalleryEntry")]
public sealed record GalleryEntry(
    [property: Id(0)] string IdentityId,
    [property: Id(1)] string Name,
    [property: Id(2)] long Incarnation,
    [property: Id(3)] float[] Sum);

/// <summary>
/// Where a gallery replica stands: the writer activation it follows (<see cref="Epoch"/>), the change version it holds,
/// and, during a full copy, the last person id it received.
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.GalleryCursor")]
public sealed record GalleryCursor(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] string? After = null);

/// <summary>
/// One page of the enrolled persons a replica lacks: with <see cref="Reset"/> a full copy begins (drop what you hold);
/// <see cref="Upserts"/> are persons to add or replace, <see cref="Removed"/> ids no longer enrolled (erased, merged
/// away). <see cref="Next"/> is the cursor to ask with next; <see cref="More"/> says another page is ready at once.
/// </summary>
[GenerateSerializer, Immutable, Alias("vf.GalleryChanges")]
public sealed record GalleryChanges(
    [property: Id(0)] GalleryCursor Next,
    [property: Id(1)] bool Reset,
    [property: Id(2)] IReadOnlyList<GalleryEntry> Upserts,
    [property: Id(3)] IReadOnlyList<string> Removed,
    [property: Id(4)] bool More,
    [property: Id(5)] GallerySettings Settings);
