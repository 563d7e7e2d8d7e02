using System.Diagnostics;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Testing;

namespace VideoFace.Media.Benchmarks;

/// <summary>
/// Concurrent 720p25 RTSP cameras (loopback GStreamer server) at 2 analysis fps: a level is sustained when every camera
/// delivers ≥ 1.8 frames/s, its stream time keeps pace with the wall clock (≥ 0.95×), with no drops, stalls or reconnects.
/// CPU per camera is the ffmpeg children's user+system time from /proc.
/// </summary>
internal static class CameraBenchmark
{
    public static async Task RunAsync(string clip, int maxCameras, TimeSpan window)
    {
        Console.WriteLine();
        Console.WriteLine($"concurrent 720p25 H.264 RTSP cameras at 2 analysis fps (tcp, software decode), {window.TotalSeconds:0} s window per level");
        Console.WriteLine($"{"cameras",7} {"fps/cam min",12} {"pace min",9} {"drops",6} {"restarts",9} {"ffmpeg CPU/cam",15} {"ffmpeg CPU total",17} {"machine CPU",12}  result");
        await using var server = new RtspServer(clip);
        await server.StartAsync();
        var best = 0;
        foreach (var n in Levels(maxCameras))
        {
            var level = await MeasureAsync(server, n, window);
            Console.WriteLine($"{n,7} {level.MinFps,12:0.00} {level.MinPace,9:0.00} {level.Drops,6} {level.Restarts,9} {level.CpuPerCamera,14:0.0}% {level.CpuTotal,16:0.0}% {level.MachineCpu,11:0.0}%  {(level.Sustained ? "ok" : "NOT sustained")}");
            if (!level.Sustained) break;
            best = n;
        }
        Console.WriteLine($"sustained: {best} cameras ({Environment.ProcessorCount} cores; CPU % of one core)");
    }

    private static IEnumerable<int> Levels(int max)
    {
        foreach (var n in new[] { 1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 32 })
            if (n <= max) yield return n;
    }

    private sealed record Level(double MinFps, double MinPace, long Drops, int Restarts, double CpuPerCamera, double CpuTotal, double MachineCpu, bool Sustained);

    private sealed class Camera(FfmpegFrameSource source)
    {
        public FfmpegFrameSource Source { get; } = source;
        public long Frames;
        public TimeSpan FirstPts, LastPts;
        public Task? Reader;
    }

    private static async Task<Level> MeasureAsync(RtspServer server, int n, TimeSpan window)
    {
        var cameras = Enumerable.Range(0, n).Select(_ => new Camera(new FfmpegFrameSource(server.Url.ToString(),
            new MediaOptions { AnalysisFps = 2, HardwareDecode = HardwareDecode.Off, StallTimeout = TimeSpan.FromSeconds(5) }))).ToList();
        foreach (var c in cameras)
        {
            c.Reader = Task.Run(async () =>
            {
                try
                {
                    await foreach (var frame in c.Source.ReadFramesAsync())
                    {
                        using (frame)
                        {
                            lock (c)
                            {
                                if (c.Frames == 0) c.FirstPts = frame.Pts;
                                c.Frames++;
                                c.LastPts = frame.Pts;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) { }
            });
        }

        var warmup = Stopwatch.StartNew();
        while (cameras.Any(c => c.Source.Health.State != HealthState.Streaming) && warmup.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);
        await Task.Delay(TimeSpan.FromSeconds(2)); // past ffmpeg's start-up burst

        var startFrames = cameras.Select(c => { lock (c) return (c.Frames, c.LastPts); }).ToList();
        var startDrops = cameras.Sum(c => c.Source.Counters.Dropped);
        var startSessions = cameras.Sum(c => c.Source.Counters.Sessions);
        var startCpu = cameras.Select(Cpu).ToList();
        var startMachine = MachineCpu.Read();
        var watch = Stopwatch.StartNew();
        await Task.Delay(window);
        var wall = watch.Elapsed.TotalSeconds;
        var endMachine = MachineCpu.Read();
        var endCpu = cameras.Select(Cpu).ToList();
        var end = cameras.Select(c => { lock (c) return (c.Frames, c.LastPts); }).ToList();
        var drops = cameras.Sum(c => c.Source.Counters.Dropped) - startDrops;
        var restarts = cameras.Sum(c => c.Source.Counters.Sessions) - startSessions;

        var fps = Enumerable.Range(0, n).Select(i => (end[i].Frames - startFrames[i].Frames) / wall).ToList();
        var pace = Enumerable.Range(0, n).Select(i => (end[i].LastPts - startFrames[i].LastPts).TotalSeconds / wall).ToList();
        var states = cameras.Select(c => c.Source.HealthHistory).ToList();
        var cpu = Enumerable.Range(0, n).Select(i => (endCpu[i] - startCpu[i]) / wall * 100).ToList();
        await Task.WhenAll(cameras.Select(async c => { await c.Source.DisposeAsync(); await c.Reader!; }));

        if (states.FirstOrDefault(h => h.Any(x => x.State is not (HealthState.Connecting or HealthState.Streaming or HealthState.Stopped))) is { } bad)
            Console.WriteLine($"        a camera went: {string.Join(" > ", bad)}");
        var sustained = fps.Min() >= 1.8 && pace.Min() >= 0.95 && drops == 0 && restarts == 0;
        return new Level(fps.Min(), pace.Min(), drops, restarts, cpu.Average(), cpu.Sum(), MachineCpu.Percent(startMachine, endMachine), sustained);
    }

    private static double Cpu(Camera c) =>
        c.Source.ProcessIds.Select(pid => ProcessTable.CpuTime(pid)?.TotalSeconds ?? 0).Sum();

    /// <summary>Whole-machine busy share from /proc/stat, in % of one core.</summary>
    private static class MachineCpu
    {
        public static (long Busy, long Total) Read()
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            var idle = f[3] + f[4];
            var total = f.Take(8).Sum();
            return (total - idle, total);
        }

        public static double Percent((long Busy, long Total) a, (long Busy, long Total) b) =>
            b.Total == a.Total ? 0 : (double)(b.Busy - a.Busy) / (b.Total - a.Total) * 100 * Environment.ProcessorCount;
    }
}
