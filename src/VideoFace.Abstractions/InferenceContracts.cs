using Orleans;

namespace VideoFace.Abstractions;

/// <summary>A face found in an image sent to an inference grain: box, score, 5 key points and normed embedding.</summary>
[GenerateSerializer, Immutable, Alias("vf.AnalyzedFace")]
public sealed record AnalyzedFace(
    [property: Id(0)] float[] Box,
    [property: Id(1)] float Score,
    [property: Id(2)] float[] Keypoints,
    [property: Id(3)] float[] Embedding);

/// <summary>Load and identity of an inference device.</summary>
[GenerateSerializer, Immutable, Alias("vf.InferenceStats")]
public sealed record InferenceStats(
    [property: Id(0)] string Device,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Provider,
    [property: Id(3)] long Batches,
    [property: Id(4)] long Faces,
    [property: Id(5)] double MeanBatchSize,
    [property: Id(6)] string EmbeddingSpace);
