using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace VideoFace.Index;

/// <summary>Small vector helpers shared by the stores and their tests.</summary>
public static class VectorMath
{
    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var dot = TensorPrimitives.Dot(a, b);
        var norms = TensorPrimitives.Norm(a) * TensorPrimitives.Norm(b);
        return norms > 0 ? dot / norms : 0f;
    }

    /// <summary>Throws unless the embedding has the index's dimension and only finite, not-all-zero values.</summary>
    public static void Validate(float[]? embedding, int dimension, string what)
    {
        if (embedding is null) throw new ArgumentException($"{what}: embedding is missing.");
        if (embedding.Length != dimension)
            throw new ArgumentException($"{what}: embedding has {embedding.Length} values, the index stores {dimension}.");
        var any = false;
        foreach (var v in embedding)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"{what}: embedding has a non-finite value.");
            any |= v != 0;
        }
        if (!any) throw new ArgumentException($"{what}: embedding is all zeros (no direction for cosine).");
    }

    internal static byte[] ToBytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    internal static float[] FromBytes(ReadOnlySpan<byte> b) => MemoryMarshal.Cast<byte, float>(b).ToArray();
}
