namespace VideoFace.Hosting.Api.Contracts;

/// <summary>Body of a JSON search by embedding.</summary>
public sealed record EmbeddingSearch(float[] Embedding, string[]? Cameras, DateTimeOffset? From, DateTimeOffset? To, int? TopK, float? MinSimilarity, string? IdentityId);

/// <summary>
/// One track that matched a search: where and when, how similar, who it was, and its images. <c>keyframe_box</c> is the
/// best face's box in the keyframe, [x, y, width, height] in keyframe pixels.
/// </summary>
public sealed record SearchHitResponse(
    string Camera, DateTimeOffset Start, DateTimeOffset? End, float Similarity, string? IdentityId, string? IdentityName, string TrackId,
    string? ThumbnailUrl, string? KeyframeUrl, float[]? KeyframeBox);
