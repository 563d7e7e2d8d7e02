namespace VideoFace.Cluster.Benchmarks;

/// <summary>The results table, with the exact settings they were measured under.</summary>
internal static class Report
{
    public static void Print(BenchSettings s, EmbeddedSilo silo, DecodedClip? crowd, DecodedClip sequence, IReadOnlyList<ThroughputRow> throughput,
        IReadOnlyList<CapacityRow> capacity, int sustained, LatencyResult latency, string loadBefore, string loadAfter, TimeSpan total)
    {
        var b = silo.BatcherOptions;
        var t = silo.TrackerOptions;
        var v = silo.VisionOptions;
        Console.WriteLine();
        Console.WriteLine("==================== VideoFace cluster benchmark ====================");
        Console.WriteLine($"machine      {Environment.ProcessorCount} cores, CPU inference; load average {loadBefore} before, {loadAfter} after " +
            "(shared with concurrent test runs: absolute figures are noisy, ratios less so)");
        Console.WriteLine($"silo         embedded profile in this process (VideoFaceHost.Build): SQLite state, memory streams, devices=cpu, " +
            $"{silo.Settings["VideoFace:SiloPort"]}/{silo.Settings["VideoFace:GatewayPort"]}/{silo.Settings["VideoFace:HttpPort"]} silo/gateway/http ports");
        Console.WriteLine($"models       {silo.Batcher.Analyzer.Description}; Vision:FlipAugment={v.FlipAugment}, IntraOpThreads={v.IntraOpThreads}, MinFaceSize={v.MinFaceSize}");
        Console.WriteLine($"batcher      Inference:MaxBatch={b.MaxBatch}, MaxWait={b.MaxWait.TotalMilliseconds:0} ms, QueueCapacity={b.QueueCapacity}; " +
            $"tracker ConfirmHits={t.ConfirmHits}, MaxAge={t.MaxAge.TotalSeconds:0} s");
        if (crowd is not null)
            Console.WriteLine($"input [1][2] {crowd.Name}: 1280×720 H.264 10 s, 5 slowly drifting faces; decoded once at {crowd.Fps:0.#} fps → " +
                $"{crowd.Frames.Count} frames in memory, replayed forwards/backwards");
        Console.WriteLine($"input [3]{(latency.Alerts is null ? "   " : "[4]")} {latency.Cameras} × sequence clip, 1280×720 H.264: {s.People} people each 2 s then 1 s grey; decoded at " +
            $"{sequence.Fps:0.#} fps → {sequence.Frames.Count} frames per camera; {latency.Enrolled} of {latency.People} people enrolled");
        Console.WriteLine("sources      in-memory IFrameSource (decoding excluded: see bench/VideoFace.Media.Benchmarks for its cost)");

        if (crowd is null)
        {
            Console.WriteLine();
            Console.WriteLine($"[1][2] skipped (--only latency); latency cameras given by --latency-cameras ({s.LatencyCameras}), not by what [2] sustained");
        }
        else PrintThroughputAndCapacity(s, throughput, capacity, sustained);

        Console.WriteLine();
        Console.WriteLine($"[3] latency to the Appeared event on the identity-events stream (subscriber in the silo process), " +
            $"{latency.Cameras} live camera(s) at {s.AnalysisFps:0.#} fps, {latency.Wall.TotalSeconds:0} s" +
            (latency.Alerts is null ? "; no alert rules" : "; alert rules active ([4] measured in the same run)"));
        Console.WriteLine($"    tracks confirmed {latency.TracksConfirmed}, Appeared events {latency.Appeared}, joined {latency.FromDecodeMs.Count} " +
            $"({latency.Named} named, {latency.FromDecodeMs.Count - latency.Named} unknown)");
        Console.WriteLine("    from                                                     | count |    p50 ms |    p95 ms |    max ms");
        Line("confirming frame taken by the pipeline (FrameDecodedAt)", latency.FromDecodeMs);
        Line("confirming frame delivered by the camera (frame time)", latency.FromCaptureMs);
        if (latency.Alerts is { } a)
        {
            Console.WriteLine();
            Console.WriteLine($"[4] latency to the alert received over HTTP: SSE subscriber of {a.Endpoint} (HttpClient, X-Api-Key = DATA/api-key), " +
                $"{a.Rules} rules via POST /api/alerts/rules: kind unknown + kind enrolled, cooldown_seconds 0; same tracks as [3]; goal p95 < 500 ms");
            Console.WriteLine($"    alerts received {a.Received} ({a.Tracks} distinct tracks, {a.Malformed} unreadable), joined to confirmed tracks {a.FromDecodeMs.Count} " +
                $"of {latency.TracksConfirmed} ({a.Enrolled} by the enrolled rule, {a.Unknown} by the unknown rule)");
            Console.WriteLine("    from                                                     | count |    p50 ms |    p95 ms |    max ms");
            Line("confirming frame taken by the pipeline (FrameDecodedAt)", a.FromDecodeMs);
            Line("confirming frame delivered by the camera (frame time)", a.FromCaptureMs);
            Line("Appeared event of [3] (the alert path alone)", a.AfterAppearedMs);
            double p95 = LatencyBenchmark.Percentile(a.FromDecodeMs, 0.95);
            Console.WriteLine($"    ⇒ frame-decoded → alert-received p95 {p95:0} ms: " + (a.FromDecodeMs.Count == 0 ? "no alerts joined" : p95 < 500 ? "meets" : "misses") +
                " the goal of < 500 ms");
        }
        Console.WriteLine();
        Console.WriteLine($"total run time {total.TotalSeconds:0} s");
    }

    private static void PrintThroughputAndCapacity(BenchSettings s, IReadOnlyList<ThroughputRow> throughput, IReadOnlyList<CapacityRow> capacity, int sustained)
    {
        Console.WriteLine();
        Console.WriteLine($"[1] faces/s: FaceAnalyzer.Analyze alone vs through CameraPipeline → InferenceBatcher → tracker → TrackPublisher → grains");
        Console.WriteLine($"    unpaced replay; per row {s.Window.TotalSeconds:0} s a side, alternated in {s.Slices} turns (alone, grains, …); goal ≥ 0.90x");
        Console.WriteLine("    'cores' = this process's CPU time / wall; 'per CPU-s' = faces per second of CPU time (the cost, whatever CPU the machine gave)");
        Console.WriteLine("    cameras | alone faces/s  frames/s  faces/fr  cores | grains faces/s  frames/s  faces/fr  cores  tracks | ratio  per CPU-s");
        foreach (var r in throughput)
        {
            Console.WriteLine($"    {r.Cameras,7} | {r.Alone.FacesPerSecond,13:0.0}  {r.Alone.FramesPerSecond,8:0.00}  {r.Alone.FacesPerFrame,8:0.00}  {r.Alone.Cores,5:0.00} |" +
                $" {r.EndToEnd.FacesPerSecond,14:0.0}  {r.EndToEnd.FramesPerSecond,8:0.00}  {r.EndToEnd.FacesPerFrame,8:0.00}  {r.EndToEnd.Cores,5:0.00}  {r.EndToEnd.Tracks,6} |" +
                $" {r.Ratio,4:0.00}x  {r.CpuRatio,8:0.00}x");
        }

        Console.WriteLine();
        Console.WriteLine($"[2] live cameras at {s.AnalysisFps:0.#} fps (wall clock, drop-oldest queue of 4), K = 1, 2, … until the mean rate < " +
            $"{0.95 * s.AnalysisFps:0.00} fps or a frame is dropped; 3 s warm-up + {s.CapacityWindow.TotalSeconds:0} s window");
        Console.WriteLine("          K | fps/camera mean    min | dropped | cores total  cores/camera  CPU-s/frame | verdict");
        foreach (var r in capacity)
        {
            Console.WriteLine($"    {r.Cameras,7} | {r.MeanFps,15:0.00} {r.MinFps,6:0.00} | {r.Dropped,7} | {r.Cores,11:0.00}  {r.CoresPerCamera,12:0.00}  {r.CpuSecondsPerFrame,11:0.000} | " +
                (r.Sustained ? "keeps up" : "falls behind"));
        }
        var last = capacity.LastOrDefault(r => r.Sustained);
        Console.WriteLine($"    ⇒ measured: {sustained} camera(s) sustained at {s.AnalysisFps:0.#} fps on {Environment.ProcessorCount} shared cores" +
            (last is null ? "" : $", {last.CoresPerCamera:0.00} cores per camera at K={last.Cameras} (process CPU time / wall / K)"));
        // the shared machine may give this process far less than its cores; the CPU cost per frame says what they would carry
        double perFrame = capacity.Select(r => r.CpuSecondsPerFrame)
            .Concat(throughput.Select(r => r.EndToEnd.Cpu.TotalSeconds / Math.Max(1, r.EndToEnd.Frames))).Min();
        double perCamera = perFrame * s.AnalysisFps;
        Console.WriteLine($"    ⇒ estimate for {Environment.ProcessorCount} dedicated cores from the cheapest end-to-end CPU cost measured in [1] or [2] ({perFrame:0.000} CPU-s per frame → " +
            $"{perCamera:0.00} cores per camera): ≈ {Math.Floor(Environment.ProcessorCount / perCamera):0} camera(s) (not measured)");
    }

    private static void Line(string what, IReadOnlyList<double> ms) =>
        Console.WriteLine($"    {what,-56} | {ms.Count,5} | {LatencyBenchmark.Percentile(ms, 0.5),9:0.0} | {LatencyBenchmark.Percentile(ms, 0.95),9:0.0} | " +
            $"{(ms.Count == 0 ? double.NaN : ms[^1]),9:0.0}");
}
