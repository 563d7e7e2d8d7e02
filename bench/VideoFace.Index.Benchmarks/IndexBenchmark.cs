using System.Diagnostics;
using System.Numerics.Tensors;
using VideoFace.Index;

namespace VideoFace.Index.Benchmarks;

/// <summary>One configuration: build, then ANN vs exact on the same queries.</summary>
internal static class IndexBenchmark
{
    private const int Dim = 512, PerPerson = 50, K = 10;
    private const float Noise = 0.75f; // sighting ↔ person centre cosine 0.8, sighting ↔ sighting ≈ 0.64

    public static async Task RunAsync(int size, VectorQuantization quant, int queries, int m, int efAdd, int efSearch)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vf-index-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var rng = new Random(42);
            var persons = size / PerPerson;
            var centres = new float[persons][];
            var data = new float[size][];
            for (var p = 0; p < persons; p++)
            {
                centres[p] = Normalise(Gaussian(rng, Dim, 1f));
                for (var j = 0; j < PerPerson; j++) data[p * PerPerson + j] = Noisy(centres[p], rng);
            }
            await using var index = UsearchSightingIndex.Open(new UsearchSightingIndexOptions
            {
                Directory = dir, Dimension = Dim, Quantization = quant, Connectivity = m, ExpansionAdd = efAdd,
                ExpansionSearch = efSearch, CheckpointEveryChanges = 0, CheckpointInterval = TimeSpan.Zero,
            });
            var sw = Stopwatch.StartNew();
            const int batch = 5_000;
            for (var start = 0; start < size; start += batch)
                await index.UpsertAsync(Enumerable.Range(start, Math.Min(batch, size - start)).Select(i => new Sighting(
                    $"s{i}", data[i], $"cam{i % 10}", DateTimeOffset.UnixEpoch.AddSeconds(i), DateTimeOffset.UnixEpoch.AddSeconds(i + 5),
                    $"t{i}", $"p{i / PerPerson}", null, 0.7f, $"thumbs/{i}.jpg")).ToList());
            var build = sw.Elapsed;
            // Single-sighting upserts, as the tracker writes them (one transaction each).
            sw.Restart();
            for (var i = 0; i < 200; i++)
                await index.UpsertAsync([new Sighting($"u{i}", Noisy(centres[i % persons], rng), "cam0", DateTimeOffset.UnixEpoch, null, "t", "bench-singles", null, 0, null)]);
            var singles = sw.Elapsed;
            await index.DeleteByIdentityAsync("bench-singles"); // keep the exact ground truth = the generated data
            sw.Restart();
            await index.CheckpointAsync();
            var checkpoint = sw.Elapsed;

            var ann = new List<double>();
            var annFiltered = new List<double>();
            var exact = new List<double>();
            double hits = 0, hitsFiltered = 0;
            for (var q = 0; q < queries; q++)
            {
                var query = Noisy(centres[rng.Next(persons)], rng);
                sw.Restart();
                var truth = ExactTopK(data, query, K, _ => true);
                exact.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                var found = await index.SearchAsync(new SightingQuery(query, K));
                ann.Add(sw.Elapsed.TotalMilliseconds);
                hits += found.Count(h => truth.Contains(int.Parse(h.Sighting.Id.AsSpan(1))));
                // One camera of ten (10 % of the rows): the filtered graph walk (above the exact-scan threshold from 200k rows).
                var truthCam = ExactTopK(data, query, K, i => i % 10 == 3);
                sw.Restart();
                var foundCam = await index.SearchAsync(new SightingQuery(query, K, Cameras: ["cam3"]));
                annFiltered.Add(sw.Elapsed.TotalMilliseconds);
                hitsFiltered += foundCam.Count(h => truthCam.Contains(int.Parse(h.Sighting.Id.AsSpan(1))));
            }
            Console.WriteLine(
                $"{size,9:N0} {quant,-7} build {build.TotalSeconds,6:F1} s = {size / build.TotalSeconds,7:N0} inserts/s (batches of {batch}); " +
                $"single upserts {200 / singles.TotalSeconds,5:N0}/s; checkpoint {checkpoint.TotalSeconds:F1} s");
            Console.WriteLine(
                $"          search p50 {P(ann, 50),6:F2} ms p95 {P(ann, 95),6:F2} ms recall@10 {hits / (queries * K):F4} | " +
                $"camera filter (10%) p50 {P(annFiltered, 50),6:F2} ms p95 {P(annFiltered, 95),6:F2} ms recall@10 {hitsFiltered / (queries * K):F4} | " +
                $"exact brute force p50 {P(exact, 50),7:F2} ms ({P(exact, 50) / P(ann, 50):F0}× the ANN)");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static double P(List<double> xs, int pct)
    {
        var sorted = xs.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(pct / 100.0 * sorted.Count) - 1)];
    }

    private static HashSet<int> ExactTopK(float[][] data, float[] query, int k, Func<int, bool> keep)
    {
        var heap = new PriorityQueue<int, float>();
        for (var i = 0; i < data.Length; i++)
        {
            if (!keep(i)) continue;
            var s = TensorPrimitives.Dot(data[i], query);
            if (heap.Count < k) heap.Enqueue(i, s);
            else if (heap.TryPeek(out _, out var worst) && s > worst) heap.EnqueueDequeue(i, s);
        }
        return heap.UnorderedItems.Select(x => x.Element).ToHashSet();
    }

    private static float[] Noisy(float[] centre, Random rng)
    {
        var v = Gaussian(rng, centre.Length, Noise / MathF.Sqrt(centre.Length));
        for (var i = 0; i < v.Length; i++) v[i] += centre[i];
        return Normalise(v);
    }

    private static float[] Gaussian(Random rng, int n, float sigma)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++)
            v[i] = sigma * MathF.Sqrt(-2f * MathF.Log(1f - rng.NextSingle())) * MathF.Cos(2f * MathF.PI * rng.NextSingle());
        return v;
    }

    private static float[] Normalise(float[] v)
    {
        var n = TensorPrimitives.Norm(v);
        for (var i = 0; i < v.Length; i++) v[i] /= n;
        return v;
    }
}
