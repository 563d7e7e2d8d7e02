namespace VideoFace.Index;

/// <summary>A box in an image's pixels: left, top, width, height.</summary>
public readonly record struct PixelBox(float X, float Y, float Width, float Height);

/// <summary>
/// One face sighting as stored in the vector index: a track's embedding and where/when/who. Written per track
/// (on confirm, update and end — the same <see cref="Id"/> is overwritten), never per frame.
/// </summary>
/// <param name="KeyframeKey">Blob key of the whole frame the track's best face came from, when one was stored.</param>
/// <param name="KeyframeBox">That face in the keyframe's pixels.</param>
public sealed record Sighting(
    string Id,
    float[] Embedding,
    string CameraId,
    DateTimeOffset Start,
    DateTimeOffset? End,
    string TrackId,
    string? IdentityId,
    string? IdentityName,
    float IdentitySimilarity,
    string? ThumbnailKey,
    string? KeyframeKey = null,
    PixelBox? KeyframeBox = null);

/// <summary>Filters of a search; null fields do not filter.</summary>
public sealed record SightingQuery(
    float[] Embedding,
    int TopK = 50,
    IReadOnlyList<string>? Cameras = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? IdentityId = null,
    float? MinSimilarity = null);

/// <summary>A search hit: the sighting and its cosine similarity to the query.</summary>
public sealed record SightingHit(Sighting Sighting, float Similarity);

/// <summary>The vector store of face sightings (embedded USearch index by default, Qdrant for clusters).</summary>
public interface ISightingIndex : IAsyncDisposable
{
    /// <summary>Dimension of the stored embeddings (fixed at creation).</summary>
    int Dimension { get; }

    /// <summary>Inserts or replaces sightings by id (batched).</summary>
    Task UpsertAsync(IReadOnlyList<Sighting> sightings, CancellationToken ct = default);

    /// <summary>Best matches first, after filters (camera in list, time range overlapping [From, To], identity, min similarity).</summary>
    Task<IReadOnlyList<SightingHit>> SearchAsync(SightingQuery query, CancellationToken ct = default);

    Task<Sighting?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Deletes the sightings with these ids (absent ones are skipped); returns how many.</summary>
    Task<long> DeleteAsync(IReadOnlyList<string> ids, CancellationToken ct = default);

    /// <summary>Deletes every sighting of an identity (person erased); returns how many.</summary>
    Task<long> DeleteByIdentityAsync(string identityId, CancellationToken ct = default);

    /// <summary>
    /// Moves every sighting of identity <paramref name="fromIdentityId"/> to <paramref name="toIdentityId"/> with the
    /// display name <paramref name="name"/> (identities merged; the same id for a rename); returns how many.
    /// </summary>
    Task<long> ReassignIdentityAsync(string fromIdentityId, string toIdentityId, string? name, CancellationToken ct = default);

    /// <summary>Deletes sightings that ended (or started, if open) before <paramref name="before"/> (retention); returns how many.</summary>
    Task<long> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct = default);

    Task<long> CountAsync(CancellationToken ct = default);
}

/// <summary>Groupings of search results as the search API returns them.</summary>
public static class SightingGrouping
{
    /// <summary>The best hit per track, best first.</summary>
    public static IReadOnlyList<SightingHit> ByTrack(IEnumerable<SightingHit> hits) =>
        hits.GroupBy(h => (h.Sighting.CameraId, h.Sighting.TrackId)).Select(g => g.MaxBy(h => h.Similarity)!)
            .OrderByDescending(h => h.Similarity).ToList();

    /// <summary>Hits grouped by identity (unidentified sightings each form their own group), groups ordered by their best hit.</summary>
    public static IReadOnlyList<IGrouping<string, SightingHit>> ByIdentity(IEnumerable<SightingHit> hits) =>
        hits.GroupBy(h => h.Sighting.IdentityId ?? "track:" + h.Sighting.TrackId)
            .OrderByDescending(g => g.Max(h => h.Similarity)).ToList();
}
