namespace VideoFace.Index.Tests;

/// <summary>Deterministic random embeddings for the tests.</summary>
internal static class TestVectors
{
    public static float[] Random(Random rng, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return Normalise(v);
    }

    /// <summary>A unit vector at cosine ≈ <paramref name="similarity"/> from unit vector <paramref name="v"/>.</summary>
    public static float[] Near(float[] v, float similarity, Random rng)
    {
        var r = Random(rng, v.Length);
        var dot = r.Zip(v, (a, b) => a * b).Sum();
        var orth = Normalise(r.Zip(v, (a, b) => a - dot * b).ToArray());
        var s = MathF.Sqrt(1 - similarity * similarity);
        return Normalise(v.Zip(orth, (a, b) => similarity * a + s * b).ToArray());
    }

    public static float[] Normalise(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < v.Length; i++) v[i] /= n;
        return v;
    }
}
