using System.Diagnostics;
using OpenCvSharp;
using VideoFace.Vision;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>One replay measurement: frames and faces over a wall time, and the CPU cores the process used meanwhile.</summary>
internal sealed record Measure(long Frames, long Faces, TimeSpan Wall, TimeSpan Cpu, long Tracks = 0)
{
    public double FacesPerSecond => Faces / Wall.TotalSeconds;
    public double FramesPerSecond => Frames / Wall.TotalSeconds;
    public double FacesPerFrame => Frames == 0 ? 0 : (double)Faces / Frames;
    public double Cores => Cpu / Wall;

    /// <summary>Faces per second of this process's CPU time: the cost side, unaffected by how much CPU the shared machine gave us.</summary>
    public double FacesPerCpuSecond => Faces / Cpu.TotalSeconds;

    public Measure Plus(Measure o) => new(Frames + o.Frames, Faces + o.Faces, Wall + o.Wall, Cpu + o.Cpu, Tracks + o.Tracks);
}

/// <summary>(a) FaceAnalyzer.Analyze alone and (b) the same frames through N camera pipelines → batcher → tracker → grains.</summary>
internal sealed record ThroughputRow(int Cameras, Measure Alone, Measure EndToEnd)
{
    public double Ratio => EndToEnd.FacesPerSecond / Alone.FacesPerSecond;

    public double CpuRatio => EndToEnd.FacesPerCpuSecond / Alone.FacesPerCpuSecond;
}

/// <summary>
/// Faces/s end to end vs the bare analyzer. For each camera count the two sides alternate in <c>slices</c> short turns
/// (alone, grains, alone, grains, …) whose sums are compared, so drift in the machine's load (it is shared) hits both alike.
/// </summary>
internal static class ThroughputBenchmark
{
    public static async Task<List<ThroughputRow>> RunAsync(EmbeddedSilo silo, DecodedClip clip, TimeSpan window, int slices, IReadOnlyList<int> cameraCounts)
    {
        var mats = clip.Frames.Select(f => Mat.FromPixelData(clip.Height, clip.Width, MatType.CV_8UC3, f)).ToList();
        try
        {
            var analyzer = silo.Batcher.Analyzer;
            foreach (var m in mats.Take(3)) analyzer.Analyze(m);
            // first grain activations, SQLite tables and identities are made here, not in the first measurement
            await ReplayAsync(silo, clip, 1, TimeSpan.FromSeconds(3), "warmup");
            var rows = new List<ThroughputRow>();
            foreach (var n in cameraCounts)
            {
                Measure? alone = null, e2e = null;
                for (int turn = 0; turn < slices; turn++)
                {
                    var a = Alone(analyzer, mats, window / slices);
                    var g = await ReplayAsync(silo, clip, n, window / slices, $"tp{n}-{turn}");
                    alone = alone?.Plus(a) ?? a;
                    e2e = e2e?.Plus(g) ?? g;
                }
                rows.Add(new ThroughputRow(n, alone!, e2e!));
                Console.WriteLine($"  {n} camera(s): analyzer alone {alone!.FacesPerSecond:0.0} faces/s, through grains {e2e!.FacesPerSecond:0.0} faces/s → {rows[^1].Ratio:0.00}x (per CPU-s {rows[^1].CpuRatio:0.00}x)");
            }
            return rows;
        }
        finally
        {
            mats.ForEach(m => m.Dispose());
        }
    }

    /// <summary>FaceAnalyzer.Analyze on the frames in the replay's order, one after another, for about <paramref name="window"/>.</summary>
    private static Measure Alone(FaceAnalyzer analyzer, List<Mat> mats, TimeSpan window)
    {
        var cpu = Cpu.Now;
        var sw = Stopwatch.StartNew();
        long frames = 0, faces = 0;
        for (long i = 0; sw.Elapsed < window; i++, frames++)
            faces += analyzer.Analyze(mats[MemoryFrameSource.PingPong(i, mats.Count)]).Count;
        return new Measure(frames, faces, sw.Elapsed, Cpu.Now - cpu);
    }

    /// <summary>N camera pipelines replaying the frames as fast as they are taken, for about <paramref name="window"/>.</summary>
    public static async Task<Measure> ReplayAsync(EmbeddedSilo silo, DecodedClip clip, int cameras, TimeSpan window, string prefix)
    {
        var sources = Enumerable.Range(0, cameras).Select(c => new MemoryFrameSource($"{prefix}-c{c}", clip, 0, window, loop: true)).ToList();
        var pipelines = sources.Select(s => silo.Pipeline(s.Source, s)).ToList();
        var cpu = Cpu.Now;
        var start = DateTimeOffset.UtcNow;
        await Task.WhenAll(pipelines.Select(p => Task.Run(() => p.RunAsync(CancellationToken.None))));
        var cpuUsed = Cpu.Now - cpu;
        var totalWall = DateTimeOffset.UtcNow - start;
        // the rate counts up to the last analysed frame; ending the open tracks at shutdown is not throughput
        var wall = sources.Max(s => s.FinishedAt!.Value) - start;
        var status = pipelines.Select(p => p.Status).ToList();
        return new Measure(status.Sum(s => s.FramesAnalyzed), status.Sum(s => s.FacesDetected), wall,
            cpuUsed * (wall / totalWall), status.Sum(s => s.TracksStarted));
    }
}
