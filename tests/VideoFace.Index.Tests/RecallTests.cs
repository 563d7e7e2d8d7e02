using System.Diagnostics;
using System.Numerics.Tensors;
using Xunit.Abstractions;

namespace VideoFace.Index.Tests;

/// <summary>The embedded graph finds what brute force finds on face-like (clustered) data.</summary>
public sealed class RecallTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vf-recall-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task EmbeddedIndex_100kClusteredEmbeddings_RecallAt10AtLeast098_AlsoWithACameraFilter()
    {
        const int dim = 512, clusters = 2_000, members = 50, queries = 200, k = 10;
        var (data, centres) = ClusteredEmbeddings.Generate(clusters, members, dim, seed: 11);
        var sw = Stopwatch.StartNew();
        await using var index = UsearchSightingIndex.Open(new UsearchSightingIndexOptions
        {
            Directory = _dir, Dimension = dim, CheckpointEveryChanges = 0, CheckpointInterval = TimeSpan.Zero,
            // Build-time tuning so 100k inserts fit the test budget on two cores; search expansion keeps recall.
            Connectivity = 16, ExpansionAdd = 64, ExpansionSearch = 128,
            ExactScanThreshold = 1_000, // so the 10 % camera filter below takes the filtered graph walk, not a scan
        });
        const int batch = 10_000;
        for (var start = 0; start < data.Length; start += batch)
            await index.UpsertAsync(Enumerable.Range(start, Math.Min(batch, data.Length - start))
                .Select(i => new Sighting($"s{i}", data[i], $"cam{i % 10}", DateTimeOffset.UnixEpoch, null, "t", null, null, 0, null)).ToList());
        var build = sw.Elapsed;

        var rng = new Random(3);
        double found = 0, foundFiltered = 0;
        var cam3 = Enumerable.Range(0, data.Length).Where(i => i % 10 == 3).ToArray();
        var cam3Data = cam3.Select(i => data[i]).ToArray();
        sw.Restart();
        for (var q = 0; q < queries; q++)
        {
            // A new photo of a known person: same noise as the stored sightings.
            var query = ClusteredEmbeddings.Noisy(centres[rng.Next(clusters)], ClusteredEmbeddings.SamePersonNoise, rng);
            var exact = ClusteredEmbeddings.ExactTopK(data, query, k).Select(i => $"s{i}").ToHashSet();
            var hits = await index.SearchAsync(new SightingQuery(query, TopK: k));
            found += hits.Count(h => exact.Contains(h.Sighting.Id));
            var exactCam3 = ClusteredEmbeddings.ExactTopK(cam3Data, query, k).Select(i => $"s{cam3[i]}").ToHashSet();
            var hitsCam3 = await index.SearchAsync(new SightingQuery(query, TopK: k, Cameras: ["cam3"]));
            Assert.All(hitsCam3, h => Assert.Equal("cam3", h.Sighting.CameraId));
            foundFiltered += hitsCam3.Count(h => exactCam3.Contains(h.Sighting.Id));
        }
        var recall = found / (queries * k);
        var recallFiltered = foundFiltered / (queries * k);
        output.WriteLine($"100k build {build.TotalSeconds:F1} s, {queries} queries + exact {sw.Elapsed.TotalSeconds:F1} s, " +
            $"recall@10 {recall:F4}, with a 10 % camera filter {recallFiltered:F4}");
        Assert.True(recall >= 0.98, $"recall@10 {recall:F4}");
        Assert.True(recallFiltered >= 0.98, $"recall@10 with a camera filter {recallFiltered:F4}");
    }
}

/// <summary>Face-like synthetic embeddings: identities are random unit centres, sightings noisy copies of them.</summary>
public static class ClusteredEmbeddings
{
    /// <summary>
    /// Noise norm relative to the unit centre: a sighting is at cosine 1/√(1+0.75²) = 0.8 from its person's centre and
    /// two sightings of one person at about 0.64 from each other — like ArcFace-style embeddings of one face.
    /// </summary>
    public const float SamePersonNoise = 0.75f;

    public static (float[][] Data, float[][] Centres) Generate(int clusters, int members, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[clusters * members][];
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++)
        {
            centres[c] = TestVectors.Random(rng, dim);
            for (var m = 0; m < members; m++) data[c * members + m] = Noisy(centres[c], SamePersonNoise, rng);
        }
        return (data, centres);
    }

    /// <summary>Centre plus isotropic Gaussian noise of expected norm <paramref name="noise"/>, normalised.</summary>
    public static float[] Noisy(float[] centre, float noise, Random rng)
    {
        var sigma = noise / MathF.Sqrt(centre.Length);
        var v = new float[centre.Length];
        for (var i = 0; i < v.Length; i++)
        {
            var g = MathF.Sqrt(-2f * MathF.Log(1f - rng.NextSingle())) * MathF.Cos(2f * MathF.PI * rng.NextSingle());
            v[i] = centre[i] + sigma * g;
        }
        return TestVectors.Normalise(v);
    }

    /// <summary>Brute-force top k by cosine (the data are unit vectors, so by dot product).</summary>
    public static int[] ExactTopK(float[][] data, float[] query, int k)
    {
        var heap = new PriorityQueue<int, float>();
        for (var i = 0; i < data.Length; i++)
        {
            var s = TensorPrimitives.Dot(data[i], query);
            if (heap.Count < k) heap.Enqueue(i, s);
            else if (heap.TryPeek(out _, out var worst) && s > worst) heap.EnqueueDequeue(i, s);
        }
        var result = new int[heap.Count];
        for (var j = result.Length - 1; j >= 0; j--) result[j] = heap.Dequeue();
        return result;
    }
}
