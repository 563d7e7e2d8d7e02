namespace VideoFace.Hosting.Api.Contracts;

/// <summary>
/// Body of a JSON search by embedding. <c>min_similarity</c> (0 to 1) is the lowest similarity returned; without it, the
/// gallery's match threshold.
/// </summary>
public sealed record EmbeddingSearch(float[] Embedding, string[]? Cameras, DateTimeOffset? From, DateTimeOffset? To, int? TopK, float? MinSimilarity, string? IdentityId);

/// <summary>
/// One track that matched a search: where and when, how similar, who it was, and its images. <c>keyframe_box</c> is the
/// best face's box in the keyframe, [x, y, width, height] in keyframe pixels. <c>weak</c>: the similarity is below the
/// gallery's match threshold (returned only because the search asked for a lower min_similarity): it may be someone else.
/// </summary>
public sealed record SearchHitResponse(
    string Camera, DateTimeOffset Start, DateTimeOffset? End, float Similarity, string? IdentityId, string? IdentityName, string TrackId,
    string? ThumbnailUrl, string? KeyframeUrl, float[]? KeyframeBox, bool Weak);

/// <summary>
/// Answer of a search: the tracks found (best first), the lowest similarity returned (<c>min_similarity</c>), the gallery's
/// <c>match_threshold</c> (hits below it are weak), and a <c>message</c> when there is something to say: why there are no
/// hits, or how many are weak.
/// </summary>
public sealed record SearchResponse(IReadOnlyList<SearchHitResponse> Hits, float MinSimilarity, float MatchThreshold, string? Message);
