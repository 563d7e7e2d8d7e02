namespace VideoFace.Vision.Embedding;

/// <summary>Vector helpers for embeddings.</summary>
public static class Embeddings
{
    /// <summary>L2 norm.</summary>
    public static float Norm(ReadOnlySpan<float> v) => MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(v, v));

    /// <summary>A unit-length copy (zero vector stays zero).</summary>
    public static float[] Normalize(ReadOnlySpan<float> v)
    {
        var copy = v.ToArray();
        float n = Norm(copy);
        if (n > 0) System.Numerics.Tensors.TensorPrimitives.Divide(copy, n, copy);
        return copy;
    }

    /// <summary>Cosine similarity of two unit vectors (their dot product).</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    /// <summary>The re-normalised mean of several unit vectors (a person's facebank entry from several photos).</summary>
    public static float[] MeanNormalized(IReadOnlyList<float[]> vectors)
    {
        if (vectors.Count == 0) throw new ArgumentException("no vectors", nameof(vectors));
        var sum = new float[vectors[0].Length];
        foreach (var v in vectors) System.Numerics.Tensors.TensorPrimitives.Add(sum, v, sum);
        return Normalize(sum);
    }
}
