using System.Diagnostics;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>K live cameras for one measurement window.</summary>
internal sealed record CapacityRow(int Cameras, double MeanFps, double MinFps, long Dropped, double Cores, double CpuSecondsPerFrame, bool Sustained)
{
    public double CoresPerCamera => Cores / Cameras;
}

/// <summary>
/// How many cameras delivering frames at the analysis rate (wall clock, drop-oldest queue of 4 like a live ffmpeg source)
/// one silo keeps up with: K = 1, 2, … until a window's mean analysed rate per camera falls below 95 % of the target or
/// frames are dropped.
/// </summary>
internal static class CapacityBenchmark
{
    public static async Task<List<CapacityRow>> RunAsync(EmbeddedSilo silo, DecodedClip clip, double fps, TimeSpan warmUp, TimeSpan window, int maxCameras)
    {
        var rows = new List<CapacityRow>();
        for (int k = 1; k <= maxCameras; k++)
        {
            // cameras are not in step with each other: spread their first frames over one frame interval
            var sources = Enumerable.Range(0, k).Select(c => new MemoryFrameSource($"cap{k}-c{c}", clip, fps, warmUp + window + TimeSpan.FromSeconds(5),
                loop: true, startDelay: TimeSpan.FromSeconds(c / fps / k))).ToList();
            var pipelines = sources.Select(s => silo.Pipeline(s.Source, s)).ToList();
            var runs = pipelines.Select(p => Task.Run(() => p.RunAsync(CancellationToken.None))).ToList();
            await Task.Delay(warmUp);
            var before = pipelines.Select(p => p.Status).ToList();
            var cpu = Cpu.Now;
            var sw = Stopwatch.StartNew();
            await Task.Delay(window);
            var after = pipelines.Select(p => p.Status).ToList();
            var cpuUsed = Cpu.Now - cpu;
            var wall = sw.Elapsed;
            sources.ForEach(s => s.Stop());
            await Task.WhenAll(runs);
            var rates = before.Zip(after, (b, a) => (a.FramesAnalyzed - b.FramesAnalyzed) / wall.TotalSeconds).ToList();
            long dropped = before.Zip(after, (b, a) => a.FramesDropped - b.FramesDropped).Sum();
            bool sustained = rates.Average() >= 0.95 * fps && dropped == 0;
            double analysed = rates.Sum() * wall.TotalSeconds;
            rows.Add(new CapacityRow(k, rates.Average(), rates.Min(), dropped, cpuUsed / wall, cpuUsed.TotalSeconds / Math.Max(1, analysed), sustained));
            Console.WriteLine($"  K={k}: {rates.Average():0.00} fps/camera (min {rates.Min():0.00}), {dropped} dropped, " +
                $"{cpuUsed / wall / k:0.00} cores/camera → {(sustained ? "keeps up" : "falls behind")}");
            if (!sustained) break;
        }
        return rows;
    }
}
