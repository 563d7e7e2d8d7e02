using System.Diagnostics;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>Settings of one run (printed with the results).</summary>
internal sealed record BenchSettings(TimeSpan Window, int Slices, TimeSpan CapacityWindow, int MaxCameras, int People, bool Flip,
    IReadOnlyList<int> CameraCounts, double AnalysisFps, int LatencyCameras, bool LatencyOnly = false, bool Alerts = true);

/// <summary>Makes the clips, starts the embedded silo, runs the measurements and prints the table.</summary>
internal static class ClusterBenchmark
{
    public static async Task<int> RunAsync(BenchSettings s)
    {
        var total = Stopwatch.StartNew();
        var repo = FindRepo();
        var faces = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data", "faces-dev"));
        var photos = Directory.GetDirectories(faces).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).FirstOrDefault())
            .OfType<string>().ToList();
        string loadBefore = Cpu.LoadAverage();
        Console.WriteLine($"VideoFace cluster benchmark — {Environment.ProcessorCount} cores, load average {loadBefore} (the machine is shared)");

        var folder = Directory.CreateTempSubdirectory("videoface-bench-clips-").FullName;
        Console.WriteLine("making clips with ffmpeg and decoding them into memory at the analysis rate ...");
        var crowd = s.LatencyOnly ? null : await Clips.DecodeAsync(await Clips.CrowdAsync(folder, photos.Take(5).ToList()), s.AnalysisFps);
        var sequences = new List<(DecodedClip, IReadOnlyList<string>)>();
        for (int c = 0; c < s.LatencyCameras; c++)
        {
            var people = photos.Skip(5 + c * s.People).Take(s.People).ToList();
            var path = await Clips.SequenceAsync(Path.Combine(folder, $"sequence-{c}.mp4"), people);
            sequences.Add((await Clips.DecodeAsync(path, s.AnalysisFps), people));
        }
        Directory.Delete(folder, recursive: true);

        await using var silo = await EmbeddedSilo.StartAsync(repo, s.Flip);
        Console.WriteLine($"embedded silo started in {silo.StartTime.TotalSeconds:0.0} s; {silo.Batcher.Analyzer.Description}");

        List<ThroughputRow> throughput = [];
        List<CapacityRow> capacity = [];
        int sustained = 0;
        List<(DecodedClip, IReadOnlyList<string>)> latencyCameras;
        if (crowd is not null)
        {
            Console.WriteLine($"[1] faces/s, {s.Window.TotalSeconds:0} s a side per camera count ...");
            throughput = await ThroughputBenchmark.RunAsync(silo, crowd, s.Window, s.Slices, s.CameraCounts);
            Console.WriteLine($"[2] live cameras at {s.AnalysisFps:0.#} fps, {s.CapacityWindow.TotalSeconds:0} s window per K ...");
            capacity = await CapacityBenchmark.RunAsync(silo, crowd, s.AnalysisFps, TimeSpan.FromSeconds(3), s.CapacityWindow, s.MaxCameras);
            sustained = capacity.Where(r => r.Sustained).Select(r => r.Cameras).DefaultIfEmpty(0).Max();
            // latency at a load the silo sustains, so queueing behind an overloaded device does not count as latency
            latencyCameras = sequences.Take(Math.Clamp(sustained, 1, s.LatencyCameras)).ToList();
        }
        else
        {
            latencyCameras = sequences;
        }
        LatencyResult latency;
        if (s.Alerts)
        {
            // [4] rides on the same run as [3]: the same confirmed tracks, to the Appeared event and to the alert over HTTP
            Console.WriteLine($"[3]+[4] latency to Appeared and to the alert over HTTP (SSE), {latencyCameras.Count} live camera(s) × {s.People} people ...");
            await using var alerts = AlertStream.Connect(silo);
            await alerts.CreateRulesAsync("unknown", "enrolled");
            await alerts.SubscribeAsync();
            latency = await LatencyBenchmark.RunAsync(silo, latencyCameras, s.AnalysisFps, alerts);
            await alerts.RemoveRulesAsync();
        }
        else
        {
            Console.WriteLine($"[3] latency, {latencyCameras.Count} live camera(s) × {s.People} people ...");
            latency = await LatencyBenchmark.RunAsync(silo, latencyCameras, s.AnalysisFps);
        }

        Report.Print(s, silo, crowd, sequences[0].Item1, throughput, capacity, sustained, latency, loadBefore, Cpu.LoadAverage(), total.Elapsed);
        return 0;
    }

    /// <summary>The RTSP capacity figure alone (its own silo, so earlier sections leave nothing running).</summary>
    public static async Task<int> RunRtspAsync(double fps, TimeSpan warmUp, TimeSpan window, int[] analysed, int[] decode, bool flip)
    {
        var repo = FindRepo();
        Console.WriteLine($"VideoFace capacity through the server — {Environment.ProcessorCount} cores, load average {Cpu.LoadAverage()} (the machine is shared)");
        await using var silo = await EmbeddedSilo.StartAsync(repo, flip);
        Console.WriteLine($"embedded silo started in {silo.StartTime.TotalSeconds:0.0} s; {silo.Batcher.Analyzer.Description}");
        await RtspCapacityBenchmark.RunAsync(silo, repo, fps, warmUp, window, analysed, decode);
        return 0;
    }

    public static async Task<int> RunSoakAsync(int cameras, double minutes, double fps, int warmUpMinutes, bool flip)
    {
        var repo = FindRepo();
        Console.WriteLine($"VideoFace soak — {Environment.ProcessorCount} cores, load average {Cpu.LoadAverage()} (the machine is shared)");
        await using var silo = await EmbeddedSilo.StartAsync(repo, flip);
        Console.WriteLine($"embedded silo started in {silo.StartTime.TotalSeconds:0.0} s; {silo.Batcher.Analyzer.Description}");
        Console.WriteLine($"native heap: {VideoFace.Hosting.NativeHeap.Outcome}; inference warm-up at the largest batch: {(silo.BatcherOptions.WarmUp ? "on" : "off")}");
        return await SoakBenchmark.RunAsync(silo, repo, cameras, minutes, fps, warmUpMinutes);
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VideoFace.sln"))) return d.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }
}
