using Orleans;
using Orleans.Concurrency;

namespace VideoFace.Abstractions;

/// <summary>Enrolled persons and unknown identities of a gallery (key: gallery id), and matching against them.</summary>
public interface IGalleryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds photos' normed embeddings to the person of exactly this name (ordinal, after trimming), or enrols a new
    /// person with an id of their own (a name whose id slug is taken gets a numbered one). Photos that do not agree with
    /// each other or with the enrolled person refuse the whole batch (the result has no person) unless
    /// <paramref name="force"/> is set.
    /// </summary>
    Task<EnrolmentResult> EnrollAsync(string name, IReadOnlyList<float[]> normedEmbeddings, string embeddingSpace, bool force = false);

    /// <summary>
    /// First step of erasing a person or unknown identity (the face-data eraser runs the others): the identity stops
    /// being matched and listed, and a tombstone for its incarnation is kept, so that every later write of its data
    /// (late reports of tracks matched before) is dropped. Returns the tombstone, also for an erase begun before and
    /// not finished (it can be run again); null when the id is neither in the gallery nor being erased.
    /// </summary>
    Task<IdentityTombstone?> BeginEraseAsync(string identityId);

    /// <summary>Last step of an erase: every store is clean, the identity is no longer pending.</summary>
    Task EndEraseAsync(string identityId);

    /// <summary>Erasures begun and not finished (a crash in between): the retention sweep completes them.</summary>
    Task<IReadOnlyList<IdentityTombstone>> PendingErasuresAsync();

    /// <summary>True when this incarnation of the identity was erased: what it would write is to be dropped.</summary>
    [ReadOnly]
    Task<bool> IsErasedAsync(string identityId, long incarnation);

    /// <summary>
    /// Merges identity <paramref name="sourceId"/> into <paramref name="targetId"/> (two unknowns that are one person, or an
    /// unknown into an enrolled person; two persons enrolled twice): the target takes its history, index sightings and
    /// embedding; the source id disappears. Returns the target's summary, null when either id is not in the gallery.
    /// </summary>
    Task<IdentitySummary?> MergeAsync(string sourceId, string targetId);

    Task<IReadOnlyList<EnrolledPerson>> ListPersonsAsync();

    /// <summary>Ids of every identity the gallery knows: enrolled persons and unknown identities.</summary>
    Task<IReadOnlyList<string>> ListIdentitiesAsync();

    /// <summary>
    /// Matches a whole track's embedding once, as sufficient evidence, under the naming rule: an enrolled person that
    /// clears the match threshold with a margin over the next, else an unknown identity that clears the merge threshold
    /// with a margin (its centroid absorbs the track), else a new unknown identity.
    /// </summary>
    Task<GalleryMatch> MatchTrackAsync(float[] normedEmbedding, string embeddingSpace);

    /// <summary>
    /// Decides a running track's identity from its evidence so far, under the naming rule; call again as the evidence
    /// grows and once more when it ends (<see cref="TrackEvidence.Final"/>: then it is always decided). Null while the
    /// evidence is too weak to decide. An answer may name another identity than an earlier one for the same track
    /// (more evidence turned against it): the caller moves the track there. An unknown identity's centroid holds the
    /// track's latest embedding while it runs and its final one afterwards.
    /// </summary>
    Task<GalleryMatch?> NameTrackAsync(TrackEvidence evidence, string embeddingSpace);

    /// <summary>
    /// The enrolled persons a replica at <paramref name="cursor"/> lacks, one page at a time: changes since its version,
    /// or a full copy when it follows another activation of the gallery or fell behind the kept changes.
    /// </summary>
    [ReadOnly]
    Task<GalleryChanges> GetChangesAsync(GalleryCursor cursor);

    /// <summary>Nearest identity under the naming rule without creating anything (for search and identify).</summary>
    Task<GalleryMatch?> PeekAsync(float[] normedEmbedding);

    Task<GallerySettings> GetSettingsAsync();

    Task SetThresholdsAsync(float matchThreshold, float unknownMergeThreshold);

    /// <summary>
    /// Names an identity: renames an enrolled person, or promotes an unknown identity to an enrolled person (its track
    /// centroid becomes the person's embedding; the id and history stay). Null when the id is not in the gallery; an
    /// <see cref="InvalidOperationException"/> when another person already has that name.
    /// </summary>
    Task<EnrolledPerson?> RenameAsync(string identityId, string name);
}
