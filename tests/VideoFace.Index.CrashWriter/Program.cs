// Upserts sightings forever (with frequent graph checkpoints) and prints "committed <n>" after each acknowledged
// batch; the crash test kills it with SIGKILL mid-write and checks what survives. Usage: <directory> <dimension>
using VideoFace.Index;

var dimension = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
await using var index = UsearchSightingIndex.Open(new UsearchSightingIndexOptions
{
    Directory = args[0], Dimension = dimension, CheckpointEveryChanges = 700, CheckpointInterval = TimeSpan.Zero,
});
var start = (int)await index.CountAsync();
Console.WriteLine($"ready {start}");
for (var n = start; ; n += 25)
{
    var batch = Enumerable.Range(n, 25).Select(i => CrashSightings.Make(i, dimension)).ToList();
    // Every third batch also replaces an older sighting, so replays exercise remove + re-add.
    if (n > 100 && n % 75 == 0) batch.Add(CrashSightings.Make(n - 100, dimension, replaced: true));
    await index.UpsertAsync(batch);
    Console.WriteLine($"committed {n + 24}");
}

/// <summary>Deterministic sightings the writer and the test both compute.</summary>
public static class CrashSightings
{
    public static Sighting Make(int i, int dimension, bool replaced = false)
    {
        var rng = new Random(i * 7919 + (replaced ? 1 : 0));
        var v = new float[dimension];
        for (var d = 0; d < dimension; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
        return new Sighting($"s{i}", v, $"cam{i % 3}", DateTimeOffset.UnixEpoch.AddSeconds(i), null, $"t{i}", null, null, 0, $"thumb/{i}");
    }
}
