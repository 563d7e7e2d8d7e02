using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Grains.Gallery;
using VideoFace.Testing;

namespace VideoFace.Gallery.Benchmarks;

/// <summary>
/// Tracks matched per second against 10k and 100k enrolled persons (random unit 512-d embeddings) on an in-process cluster
/// of 1 and of 3 silos: each silo's replica (how track naming runs now) against the one gallery grain (how every track
/// was named before: a call to one activation per track), with the managed memory per identity of the gallery and of a
/// replica. The gallery's records are written once through its own store (<see cref="GalleryStore"/>), as a restored
/// gallery would be: enrolling 100k persons one call at a time is not what this benchmark measures.
/// </summary>
internal static class GalleryBenchmark
{
    private const int Dim = 512;
    private const string Space = "bench-space";
    private const int Queries = 1024;
    private const int Rounds = 3;

    public static async Task RunAsync(IReadOnlyList<int> identities, IReadOnlyList<int> silos, int callers, TimeSpan window)
    {
        Console.WriteLine($"gallery benchmark: {Environment.ProcessorCount} cores, load average {LoadAverage()}, {callers} callers per silo, {window.TotalSeconds:0.#} s per figure");
        var rows = new List<Row>();
        foreach (int n in identities)
            foreach (int s in silos)
                rows.Add(await MeasureAsync(n, (short)s, callers, window));
        Console.WriteLine();
        Console.WriteLine("identities silos | replica tracks/s | gallery grain tracks/s | replica/grain | copy s | gallery B/id | replica B/id");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Identities,10} {r.Silos,5} | {r.ReplicaRate,16:0} | {r.GrainRate,22:0.0} | {r.ReplicaRate / r.GrainRate,12:0.0}x | {r.CopySeconds,6:0.00} | {r.GalleryBytes,12:0} | {r.ReplicaBytes,12:0}"));
        foreach (int n in identities)
        {
            var one = rows.Where(r => r.Identities == n && r.Silos == silos.Min()).FirstOrDefault();
            var most = rows.Where(r => r.Identities == n && r.Silos == silos.Max()).FirstOrDefault();
            if (one is null || most is null || one == most) continue;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} identities, {most.Silos} vs {one.Silos} silo(s): replicas {most.ReplicaRate / one.ReplicaRate:0.00}x, gallery grain {most.GrainRate / one.GrainRate:0.00}x"));
        }
        Console.WriteLine($"load average at the end {LoadAverage()}");
    }

    private sealed record Row(int Identities, int Silos, double ReplicaRate, double GrainRate, double CopySeconds, double GalleryBytes, double ReplicaBytes);

    private static async Task<Row> MeasureAsync(int n, short siloCount, int callers, TimeSpan window)
    {
        var data = TestVideos.TempFolder($"gallery-bench-{n}-{siloCount}");
        var cluster = await VideoFaceTestCluster.StartAsync(siloCount, silo => VideoFaceTestCluster.BaseSettings(silo, data, ""));
        try
        {
            var gallery = cluster.Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);
            var probes = new (string Id, float[] Embedding)[Queries];
            long before = Heap();
            await SeedAsync(cluster, gallery, n, probes);
            // a large gallery's first activation reads every partition and may outlast one call's 30 s timeout
            var loading = Stopwatch.StartNew();
            await Poll.UntilAsync(async () => await gallery.GetSettingsAsync() is not null, TimeSpan.FromMinutes(10), "the gallery is loaded",
                transient: e => e is TimeoutException, interval: TimeSpan.FromSeconds(1));
            loading.Stop();
            long afterGallery = Heap();
            var replicas = cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<GalleryReplica>()).ToList();
            var copy = Stopwatch.StartNew();
            await Task.WhenAll(replicas.Select(r => r.RefreshAsync()));
            copy.Stop();
            if (replicas.Any(r => r.Held.Persons != n)) throw new InvalidOperationException($"a replica holds {replicas.Min(r => r.Held.Persons)} of {n} persons");
            long afterReplicas = Heap();

            var factories = cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IGrainFactory>()).ToList();
            // alternating rounds, so the shared machine's load hits both sides of the ratio alike
            double replicaRate = 0, grainRate = 0;
            for (int round = 0; round < Rounds; round++)
            {
                replicaRate += await RateAsync(replicas.Count, callers, window / Rounds, probes, (silo, probe, track) =>
                {
                    var evidence = new TrackEvidence(track, probe.Embedding, 5, 1, Final: false, LabelledByCaller: true);
                    return Task.FromResult(replicas[silo].TryName(evidence, Space, out var m) && m?.IdentityId == probe.Id);
                }) / Rounds;
                grainRate += await RateAsync(replicas.Count, callers, window / Rounds, probes, async (silo, probe, _) =>
                    (await factories[silo].GetGrain<IGalleryGrain>(Names.DefaultGallery).PeekAsync(probe.Embedding))?.IdentityId == probe.Id) / Rounds;
            }
            // (the probes, allocated with the gallery's records, are not the gallery's)
            long probeBytes = Queries * (Dim * sizeof(float) + 64L);
            var row = new Row(n, siloCount, replicaRate, grainRate, copy.Elapsed.TotalSeconds,
                (afterGallery - before - probeBytes) / (double)n, (afterReplicas - afterGallery) / (double)n / siloCount);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} identities, {siloCount} silo(s): replicas {row.ReplicaRate:0}/s, gallery grain {row.GrainRate:0.0}/s, gallery loaded in {loading.Elapsed.TotalSeconds:0.0} s, copy {row.CopySeconds:0.00} s, load {LoadAverage()}"));
            return row;
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// Writes the gallery's records with <paramref name="n"/> random persons once, before its first activation, and fills
    /// the probes: noisy views of random persons (cosine about 0.8), each counted when named as that person.
    /// </summary>
    private static async Task SeedAsync(InProcessTestCluster cluster, IGalleryGrain gallery, int n, (string Id, float[] Embedding)[] probes)
    {
        var rng = new Random(n);
        var state = new GalleryState { EmbeddingSpace = Space, Dimension = Dim, LastIncarnation = n };
        for (int i = 0; i < n; i++)
            state.Persons[PersonId(i)] = new GalleryPerson { Name = $"Person {i}", Sum = Unit(rng), Photos = 1, EnrolledAt = DateTimeOffset.UtcNow, Incarnation = i + 1 };
        for (int q = 0; q < probes.Length; q++)
        {
            var id = PersonId(rng.Next(n));
            probes[q] = (id, Noisy(state.Persons[id].Sum, rng));
        }
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(Names.Storage);
        await new GalleryStore(storage, gallery.GetGrainId()).SaveAsync(state, new GalleryChange(state.Persons.Keys.ToList(), [], Gallery: true));
    }

    /// <summary>Probes matched per second (only correct names count) by <paramref name="callers"/> concurrent callers on each silo.</summary>
    private static async Task<double> RateAsync(int silos, int callers, TimeSpan window, (string Id, float[] Embedding)[] probes,
        Func<int, (string Id, float[] Embedding), string, Task<bool>> match)
    {
        long matched = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, silos * callers).Select(w => Task.Run(async () =>
        {
            int silo = w % silos;
            for (int i = w; clock.Elapsed < window; i += silos * callers)
                if (await match(silo, probes[i % probes.Length], $"t-{w}-{i}")) Interlocked.Increment(ref matched);
        })).ToList();
        await Task.WhenAll(workers);
        return matched / clock.Elapsed.TotalSeconds;
    }

    private static string PersonId(int i) => "p-person-" + i.ToString(CultureInfo.InvariantCulture);

    private static float[] Unit(Random rng)
    {
        var v = new float[Dim];
        for (int i = 0; i < Dim; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return Normalize(v);
    }

    private static float[] Noisy(float[] person, Random rng)
    {
        var noise = Unit(rng);
        var v = new float[Dim];
        for (int i = 0; i < Dim; i++) v[i] = 0.8f * person[i] + 0.6f * noise[i];
        return Normalize(v);
    }

    private static float[] Normalize(float[] v)
    {
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}
