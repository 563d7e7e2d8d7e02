using System.Diagnostics;
using System.Globalization;
using VideoFace.Abstractions;
using VideoFace.Pipeline.Sessions;
using VideoFace.Testing;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>
/// The soak figure: N real RTSP cameras with faces (the 720p25 Hamilton clip, looped by the loopback GStreamer server)
/// run through the silo's <c>CameraSessions</c> for a long time, as a deployment runs them, and this process's
/// resources are sampled once a minute: working set, GC heap, private memory, open file descriptors, ffmpeg children,
/// threads. A leak shows as a slope, so at the end each series gets a least-squares slope per hour over the samples
/// after the warm-up minutes (3 by default) — the cameras connect, and caches, pools, the JIT, the GC's budgets and
/// Orleans' directory fill then and would read as growth.
/// </summary>
internal static class SoakBenchmark
{
    /// <summary>
    /// A series is flat when its least-squares slope is at most 1 % of its mean per hour (negative slopes are flat):
    /// a real leak compounds over days, and 1 %/h is ~25 % a day — the level at which a service needs restarting
    /// within weeks. For the ffmpeg child count the expectation is exact: at most one per camera, and a slope of ~0.
    /// </summary>
    private const double FlatFractionPerHour = 0.01;

    private sealed record Sample(double Minutes, double WorkingSetMiB, double GcHeapMiB, double GcCommittedMiB, double PrivateMiB, int Fds, int Ffmpeg, int Threads,
        long FramesAnalyzed, long Faces, long Dropped)
    {
        /// <summary>Private memory outside what the GC has committed: ONNX Runtime, OpenCV, the C library's heap, code.</summary>
        public double NativeMiB => PrivateMiB - GcCommittedMiB;
    }

    public static async Task<int> RunAsync(EmbeddedSilo silo, string repo, int cameras, double minutes, double fps, int warmUpMinutes)
    {
        var folder = Directory.CreateTempSubdirectory("videoface-bench-soak-").FullName;
        try
        {
            var clip = await RtspCapacityBenchmark.HamiltonClipAsync(repo, folder);
            await using var server = new RtspServer(clip);
            await server.StartAsync();
            Console.WriteLine($"  {cameras} RTSP cameras (720p25 H.264 with faces, loopback GStreamer server) at {fps} analysis fps for {minutes:0.#} min; " +
                $"a sample every minute after a full collection, the first {warmUpMinutes} min are warm-up");
            Console.WriteLine($"  {"min",5} {"working set",12} {"GC heap",9} {"GC commit",10} {"private",9} {"native",9} {"fds",5} {"ffmpeg",7} {"threads",8} {"fps/cam",8} {"faces",8} {"dropped",8} {"load",18}");

            var ids = Enumerable.Range(0, cameras).Select(i => $"soak-{i}").ToList();
            foreach (var id in ids) silo.Sessions.Start(id, new CameraFeed(server.Url.ToString(), fps));
            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            var previous = Take(silo, ids, 0);
            Print(previous, null, cameras);
            for (var m = 1; m <= (int)Math.Ceiling(minutes); m++)
            {
                // wait until the minute mark, not a fixed minute after the previous sample: sampling takes time too
                var due = TimeSpan.FromMinutes(m) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due);
                var s = Take(silo, ids, clock.Elapsed.TotalMinutes);
                Print(s, previous, cameras);
                samples.Add(s);
                previous = s;
            }
            await Task.WhenAll(ids.Select(silo.Sessions.StopAsync));

            var fit = samples.Where(s => s.Minutes >= warmUpMinutes - 1e-6).ToList();
            if (fit.Count < 2)
            {
                Console.WriteLine($"  too short for a slope: run at least {warmUpMinutes + 1} minutes (the warm-up, then samples to fit)");
                return 1;
            }
            Console.WriteLine($"  slope per hour, least squares over the {fit.Count} samples from minute {fit[0].Minutes:0} to {fit[^1].Minutes:0} " +
                $"(flat: slope ≤ {FlatFractionPerHour:P0} of the mean per hour; ffmpeg: ≤ 0.1/h and never more than {cameras} children; " +
                "GROWING: above that and more than 2 standard errors above zero)");
            bool growing = false, unclear = false;
            void Slope(string name, string unit, Func<Sample, double> value, bool exactFfmpeg = false)
            {
                var (slopePerMinute, se) = LeastSquares(fit.Select(s => (s.Minutes, value(s))).ToList());
                var mean = fit.Average(value);
                var perHour = slopePerMinute * 60;
                // ffmpeg: more children than cameras is a leaked child; fewer at a sample is a camera restarting its
                // ffmpeg at that moment (a reconnect), not a leak
                var flat = exactFfmpeg
                    ? perHour <= 0.1 && fit.All(s => s.Ffmpeg <= cameras)
                    : perHour <= FlatFractionPerHour * Math.Abs(mean);
                // above the bound but within two standard errors of zero: the samples cannot tell growth from noise
                var noise = !flat && !exactFfmpeg && perHour <= 2 * se * 60;
                if (!flat && !noise) growing = true;
                else if (noise) unclear = true;
                Console.WriteLine($"  {name,-12} mean {mean,9:0.0} {unit,-4} slope {perHour,9:+0.0;-0.0;0.0} {unit}/h (± {se * 60:0.0} std. error)  " +
                    $"first {value(fit[0]),8:0.0} last {value(fit[^1]),8:0.0}  {(flat ? "flat" : noise ? "not flat, within 2 std. errors (noise?)" : "GROWING")}" +
                    (exactFfmpeg && fit.Any(s => s.Ffmpeg < cameras) ? $" ({fit.Count(s => s.Ffmpeg < cameras)} sample(s) caught a camera restarting its ffmpeg)" : ""));
            }
            Slope("working set", "MiB", s => s.WorkingSetMiB);
            Slope("GC heap", "MiB", s => s.GcHeapMiB);
            Slope("GC commit", "MiB", s => s.GcCommittedMiB);
            Slope("private", "MiB", s => s.PrivateMiB);
            Slope("native", "MiB", s => s.NativeMiB);
            Slope("fds", "", s => s.Fds);
            Slope("ffmpeg", "", s => s.Ffmpeg, exactFfmpeg: true);
            Slope("threads", "", s => s.Threads);
            var span = fit[^1].Minutes - fit[0].Minutes;
            Console.WriteLine($"  => {(growing ? "NOT flat" : unclear ? "not shown flat (within noise)" : "flat")} over {span:0} fitted minutes" +
                (span < 15 ? " (a short run: the slope is extrapolated from minutes of noise, read it as a smoke test, not as a soak figure)" : ""));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Sample Take(EmbeddedSilo silo, IReadOnlyList<string> ids, double minutes)
    {
        var reports = ids.Select(id => silo.Sessions.Snapshot(id)).ToList();
        // a full, compacting collection that also gives free memory back first: the managed figures are then the live
        // objects (what a leak grows), not wherever the GC's schedule happened to be at the minute mark
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        const double MiB = 1024 * 1024;
        var gc = GC.GetGCMemoryInfo();
        return new Sample(minutes,
            self.WorkingSet64 / MiB,
            // the live objects (the collection above just ran)
            gc.HeapSizeBytes / MiB,
            // what the GC holds from the system (heap + free regions it keeps for reuse)
            gc.TotalCommittedBytes / MiB,
            PrivateBytes() / MiB,
            Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(),
            ProcessTable.Children(Environment.ProcessId, "ffmpeg").Count,
            self.Threads.Count,
            reports.Sum(r => r?.FramesAnalyzed ?? 0), reports.Sum(r => r?.FacesDetected ?? 0), reports.Sum(r => r?.FramesDropped ?? 0));
    }

    private static void Print(Sample s, Sample? previous, int cameras)
    {
        // the analysis rate over the last minute, per camera: shows the cameras are alive, not just the process
        var fps = previous is null ? 0 : (s.FramesAnalyzed - previous.FramesAnalyzed) / ((s.Minutes - previous.Minutes) * 60) / cameras;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {s.Minutes,5:0.0} {s.WorkingSetMiB,8:0.0} MiB {s.GcHeapMiB,5:0.0} MiB {s.GcCommittedMiB,6:0.0} MiB {s.PrivateMiB,5:0.0} MiB {s.NativeMiB,5:0.0} MiB {s.Fds,5} {s.Ffmpeg,7} {s.Threads,8} {fps,8:0.00} {s.Faces,8} {s.Dropped,8} {Cpu.LoadAverage(),18}"));
    }

    /// <summary>
    /// Resident private memory: Private_Clean + Private_Dirty of /proc/self/smaps_rollup (what the process alone holds
    /// in RAM; .NET's PrivateMemorySize64 reads VmData on Linux, mostly reserved address space that never grows by use).
    /// </summary>
    private static long PrivateBytes()
    {
        long kb = 0;
        foreach (var line in File.ReadLines("/proc/self/smaps_rollup"))
        {
            if (!line.StartsWith("Private_Clean:", StringComparison.Ordinal) && !line.StartsWith("Private_Dirty:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            kb += long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return kb * 1024;
    }

    /// <summary>Ordinary least squares of y on x: the slope and its standard error (0 with two points).</summary>
    private static (double Slope, double StdError) LeastSquares(IReadOnlyList<(double X, double Y)> points)
    {
        var n = points.Count;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        var sxy = points.Sum(p => (p.X - mx) * (p.Y - my));
        var slope = sxy / sxx;
        if (n <= 2) return (slope, 0);
        var residual = points.Sum(p => Math.Pow(p.Y - my - slope * (p.X - mx), 2));
        return (slope, Math.Sqrt(residual / (n - 2) / sxx));
    }
}
