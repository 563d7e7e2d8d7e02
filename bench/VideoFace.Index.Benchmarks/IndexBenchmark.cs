using System.Diagnostics;
using System.Numerics.Tensors;
using VideoFace.Index;

namespace VideoFace.Index.Benchmarks;

/// <summary>One build, then ANN vs exact on the same queries for each search setting (expansion × re-rank candidates).</summary>
internal static class IndexBenchmark
{
    private const int Dim = 512, PerPerson = 50, K = 10;
    private const float Noise = 0.75f; // sighting ↔ person centre cosine 0.8, sighting ↔ sighting ≈ 0.64

    public static async Task RunAsync(int size, VectorQuantization quant, int queries, int m, int efAdd, int[] efSearches, int[] reranks)
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
            // Sighting times: a permutation of 0..size-1 seconds, so a time window is a random 10 % of the rows
            // (not whole persons).
            long Second(int i) => i * 7_919L % size;
            var options = new UsearchSightingIndexOptions
            {
                Directory = dir, Dimension = Dim, Quantization = quant, Connectivity = m, ExpansionAdd = efAdd,
                ExpansionSearch = efSearches[0], CheckpointEveryChanges = 0, CheckpointInterval = TimeSpan.Zero,
            };
            var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
            var rssBefore = Process.GetCurrentProcess().WorkingSet64;
            await using var index = UsearchSightingIndex.Open(options);
            var sw = Stopwatch.StartNew();
            const int batch = 5_000;
            for (var start = 0; start < size; start += batch)
                await index.UpsertAsync(Enumerable.Range(start, Math.Min(batch, size - start)).Select(i => new Sighting(
                    $"s{i}", data[i], $"cam{i % 10}", DateTimeOffset.UnixEpoch.AddSeconds(Second(i)), DateTimeOffset.UnixEpoch.AddSeconds(Second(i)),
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
            var graphBytes = index.GraphMemoryBytes;
            var rss = Process.GetCurrentProcess().WorkingSet64 - rssBefore;
            Console.WriteLine(
                $"{size,9:N0} {quant,-7} M {m} ef_add {efAdd}: build {build.TotalSeconds,6:F1} s = {size / build.TotalSeconds,7:N0} inserts/s (batches of {batch}); " +
                $"single upserts {200 / singles.TotalSeconds,5:N0}/s; checkpoint {checkpoint.TotalSeconds:F1} s; graph {graphBytes / 1048576.0:N0} MiB " +
                $"({(double)graphBytes / size:N0} B/face), process grew {rss / 1048576.0:N0} MiB while building (graph + filter map + SQLite cache) " +
                $"(managed heap before {managedBefore / 1048576.0:N0} MiB)");

            // One camera of ten, and a time window: 10 % of the rows each.
            var from = DateTimeOffset.UnixEpoch.AddSeconds(size * 45L / 100);
            var to = DateTimeOffset.UnixEpoch.AddSeconds(size * 55L / 100 - 1);
            bool InWindow(int i) => Second(i) >= size * 45L / 100 && Second(i) <= size * 55L / 100 - 1;
            var qs = new List<(float[] Query, HashSet<int> All, HashSet<int> Cam, HashSet<int> Time)>();
            var exact = new List<double>();
            for (var q = 0; q < queries; q++)
            {
                var query = Noisy(centres[rng.Next(persons)], rng);
                sw.Restart();
                var all = ExactTopK(data, query, K, _ => true);
                exact.Add(sw.Elapsed.TotalMilliseconds);
                qs.Add((query, all, ExactTopK(data, query, K, i => i % 10 == 3), ExactTopK(data, query, K, InWindow)));
            }
            Console.WriteLine($"          exact brute force over the f32 vectors p50 {P(exact, 50):F1} ms");
            foreach (var ef in efSearches)
                foreach (var rerank in reranks)
                {
                    index.SetSearchExpansion(ef);
                    options.RerankCandidates = rerank;
                    var (p50, p95, recall) = await MeasureAsync(index, qs, x => new SightingQuery(x.Query, K), x => x.All);
                    var (c50, c95, cRecall) = await MeasureAsync(index, qs, x => new SightingQuery(x.Query, K, Cameras: ["cam3"]), x => x.Cam);
                    var (t50, t95, tRecall) = await MeasureAsync(index, qs, x => new SightingQuery(x.Query, K, From: from, To: to), x => x.Time);
                    Console.WriteLine(
                        $"          ef {ef,5} rerank {rerank,4}: search p50 {p50,6:F2} p95 {p95,6:F2} ms recall@10 {recall:F4} | " +
                        $"camera 10% p50 {c50,6:F2} p95 {c95,6:F2} ms recall@10 {cRecall:F4} | " +
                        $"time 10% p50 {t50,6:F2} p95 {t95,6:F2} ms recall@10 {tRecall:F4}");
                }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(double P50, double P95, double Recall)> MeasureAsync<T>(
        UsearchSightingIndex index, List<T> qs, Func<T, SightingQuery> query, Func<T, HashSet<int>> truth)
    {
        var times = new List<double>();
        double hits = 0;
        var sw = new Stopwatch();
        foreach (var x in qs)
        {
            sw.Restart();
            var found = await index.SearchAsync(query(x));
            times.Add(sw.Elapsed.TotalMilliseconds);
            var t = truth(x);
            hits += found.Count(h => t.Contains(int.Parse(h.Sighting.Id.AsSpan(1))));
        }
        return (P(times, 50), P(times, 95), hits / (qs.Count * K));
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
