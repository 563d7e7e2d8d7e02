using System.Diagnostics;
using OpenCvSharp;
using VideoFace.Abstractions;
using VideoFace.Media;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Pipeline;
using VideoFace.Pipeline.Sessions;
using VideoFace.Testing;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>
/// The capacity figure through the real server: K 720p25 H.264 RTSP cameras (the shared Hamilton clip upscaled and
/// looped, served by the loopback GStreamer server) registered with the silo's <c>CameraSessions</c> — ffmpeg
/// decode, batched detection + embedding, tracker, grains, sighting index — at the analysis fps. A level is sustained
/// when every camera analyses ≥ 95 % of its fps over the window after a warm-up and nothing is dropped (a growing queue
/// shows as drops: the live queue drops its oldest frame when the pipeline falls behind). Also decode-only cameras
/// (FfmpegFrameSource read, no analysis). CPU per camera is split into decode (the ffmpeg children's CPU, from /proc),
/// detection and embedding (frames and faces in the window × their CPU cost calibrated on the clip in this run) and
/// the rest of this process (tracking, grains, index, frame handling).
/// </summary>
internal static class RtspCapacityBenchmark
{
    public static async Task RunAsync(EmbeddedSilo silo, string repo, double fps, TimeSpan warmUp, TimeSpan window, int[] analysedLevels, int[] decodeLevels)
    {
        var folder = Directory.CreateTempSubdirectory("videoface-bench-rtsp-").FullName;
        try
        {
            var clip = await HamiltonClipAsync(repo, folder);
            var (detectCpu, embedCpu) = await CalibrateAsync(silo, clip, fps);
            Console.WriteLine($"  calibrated on the clip: detection {detectCpu * 1000:0.0} ms CPU per frame, embedding {embedCpu * 1000:0.0} ms CPU per face");
            await using var server = new RtspServer(clip);
            await server.StartAsync();

            Console.WriteLine($"  decode-only cameras (720p25 RTSP → {fps} fps BGR frames), {window.TotalSeconds:0} s window after {warmUp.TotalSeconds:0} s warm-up");
            Console.WriteLine($"  {"cameras",7} {"fps min",8} {"fps mean",9} {"dropped",8} {"decode CPU/cam",15} {"machine load",13}  sustained");
            var bestDecode = 0;
            foreach (var k in decodeLevels)
            {
                var r = await DecodeOnlyAsync(server, k, fps, warmUp, window);
                Console.WriteLine($"  {k,7} {r.Min,8:0.00} {r.Mean,9:0.00} {r.Dropped,8} {r.DecodeCores / k * 100,14:0.0}% {Cpu.LoadAverage(),13}  {(r.Sustained(fps) ? "yes" : "NO")}");
                if (!r.Sustained(fps)) break;
                bestDecode = k;
            }

            Console.WriteLine($"  analysed cameras through the server (decode + detection + embedding + tracking + grains + index)");
            Console.WriteLine($"  {"cameras",7} {"fps min",8} {"fps mean",9} {"dropped",8} {"faces/s",8} {"emb/s/cam",10} | CPU % of a core per camera: {"decode",7} {"detect",7} {"embed",7} {"rest",7} {"total",7}  sustained");
            var bestAnalysed = 0;
            foreach (var k in analysedLevels)
            {
                var r = await AnalysedAsync(silo, server, k, fps, warmUp, window);
                var detect = r.Frames / window.TotalSeconds * detectCpu;
                var embed = r.Embedded / window.TotalSeconds * embedCpu;
                var rest = Math.Max(0, r.ProcessCores - detect - embed);
                var pct = (double cores) => cores / k * 100;
                Console.WriteLine($"  {k,7} {r.Min,8:0.00} {r.Mean,9:0.00} {r.Dropped,8} {r.Faces / window.TotalSeconds,8:0.0} {r.Embedded / window.TotalSeconds / k,10:0.00} | " +
                    $"{"",27}{pct(r.DecodeCores),7:0.0} {pct(detect),7:0.0} {pct(embed),7:0.0} {pct(rest),7:0.0} {pct(r.DecodeCores + r.ProcessCores),7:0.0}  {(r.Sustained(fps) ? "yes" : "NO")}");
                if (!r.Sustained(fps)) break;
                bestAnalysed = k;
            }
            Console.WriteLine($"  => sustained at {fps} analysis fps: {bestDecode} decode-only cameras, {bestAnalysed} analysed cameras " +
                $"({Environment.ProcessorCount} cores, load average now {Cpu.LoadAverage()}: other work shares this machine)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Level(double Min, double Mean, long Dropped, long Frames, long Faces, long Embedded, double DecodeCores, double ProcessCores)
    {
        public bool Sustained(double fps) => Min >= 0.95 * fps && Dropped == 0;
    }

    private static async Task<Level> DecodeOnlyAsync(RtspServer server, int k, double fps, TimeSpan warmUp, TimeSpan window)
    {
        var counts = new long[k];
        using var stop = new CancellationTokenSource();
        var sources = Enumerable.Range(0, k).Select(_ => new FfmpegFrameSource(server.Url.ToString(),
            new MediaOptions { AnalysisFps = fps, HardwareDecode = HardwareDecode.Off })).ToList();
        var readers = sources.Select((s, i) => Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in s.ReadFramesAsync(stop.Token))
                    using (frame) Interlocked.Increment(ref counts[i]);
            }
            catch (OperationCanceledException) { }
        })).ToList();
        await Task.Delay(warmUp);
        var before = counts.ToArray();
        var droppedBefore = sources.Sum(s => s.Counters.Dropped);
        var decodeBefore = FfmpegCpu();
        var sw = Stopwatch.StartNew();
        await Task.Delay(window);
        var wall = sw.Elapsed.TotalSeconds;
        var rates = counts.Select((c, i) => (c - before[i]) / wall).ToList();
        var decode = (FfmpegCpu() - decodeBefore) / wall;
        var dropped = sources.Sum(s => s.Counters.Dropped) - droppedBefore;
        await stop.CancelAsync();
        foreach (var s in sources) await s.DisposeAsync();
        await Task.WhenAll(readers);
        return new Level(rates.Min(), rates.Average(), dropped, 0, 0, 0, decode, 0);
    }

    private static async Task<Level> AnalysedAsync(EmbeddedSilo silo, RtspServer server, int k, double fps, TimeSpan warmUp, TimeSpan window)
    {
        var ids = Enumerable.Range(0, k).Select(i => $"rtsp{k}-{i}").ToList();
        foreach (var id in ids) silo.Sessions.Start(id, new CameraFeed(server.Url.ToString(), fps));
        await Task.Delay(warmUp);
        var before = ids.Select(Report).ToList();
        var embeddedBefore = silo.Batcher.FacesEmbedded;
        var decodeBefore = FfmpegCpu();
        var processBefore = Cpu.Now;
        var sw = Stopwatch.StartNew();
        await Task.Delay(window);
        var wall = sw.Elapsed.TotalSeconds;
        var after = ids.Select(Report).ToList();
        var decode = (FfmpegCpu() - decodeBefore) / wall;
        var process = (Cpu.Now - processBefore).TotalSeconds / wall;
        var embedded = silo.Batcher.FacesEmbedded - embeddedBefore;
        await Task.WhenAll(ids.Select(silo.Sessions.StopAsync));
        var rates = before.Zip(after, (b, a) => (a.FramesAnalyzed - b.FramesAnalyzed) / wall).ToList();
        return new Level(rates.Min(), rates.Average(), before.Zip(after, (b, a) => a.FramesDropped - b.FramesDropped).Sum(),
            before.Zip(after, (b, a) => a.FramesAnalyzed - b.FramesAnalyzed).Sum(), before.Zip(after, (b, a) => a.FacesDetected - b.FacesDetected).Sum(),
            embedded, decode, process);

        CameraIngestStatus Report(string id) =>
            silo.Sessions.Snapshot(id) ?? CameraIngestStatus.Stopped with { Reason = "not running" };
    }

    /// <summary>CPU seconds of this process's ffmpeg children so far (live ones: levels are measured while they run).</summary>
    private static double FfmpegCpu() =>
        ProcessTable.Children(Environment.ProcessId, "ffmpeg").Sum(pid => ProcessTable.CpuTime(pid)?.TotalSeconds ?? 0);

    /// <summary>
    /// CPU seconds per detection (one 720p frame, detector + landmarks as the batcher runs them) and per embedded face,
    /// measured with this process's CPU clock on frames of the clip before any camera runs.
    /// </summary>
    private static async Task<(double Detect, double Embed)> CalibrateAsync(EmbeddedSilo silo, string clip, double fps)
    {
        var decoded = await Clips.DecodeAsync(clip, fps);
        var analyzer = silo.Batcher.Analyzer;
        var mats = decoded.Frames.Take(20).Select(f => Mat.FromPixelData(decoded.Height, decoded.Width, MatType.CV_8UC3, f)).ToList();
        try
        {
            foreach (var m in mats.Take(3)) analyzer.Detect(m); // warm
            var cpu = Cpu.Now;
            var crops = new List<Mat>();
            foreach (var m in mats)
            {
                var faces = analyzer.Detect(m);
                var kps = faces.Count == 0 ? [] : analyzer.KeypointsOf(m, faces);
                crops.AddRange(kps.Select(k => Vision.Alignment.FaceAligner.Align(m, k, analyzer.Embedder.InputSize)));
            }
            var detect = (Cpu.Now - cpu).TotalSeconds / mats.Count;
            if (crops.Count == 0) throw new InvalidOperationException("no face found in the clip: the capacity figure needs faces");
            cpu = Cpu.Now;
            for (var i = 0; i < 3; i++) analyzer.EmbedAligned(crops);
            var embed = (Cpu.Now - cpu).TotalSeconds / (3 * crops.Count);
            crops.ForEach(c => c.Dispose());
            return (detect, embed);
        }
        finally
        {
            mats.ForEach(m => m.Dispose());
        }
    }

    /// <summary>The shared Hamilton clip (640×360, ~10 s) upscaled to 720p25 H.264 Main (no B-frames, 2 s GOP, as cameras stream), looped to 60 s.</summary>
    internal static async Task<string> HamiltonClipAsync(string repo, string folder)
    {
        var source = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data", "video", "ageitgey-short_hamilton_clip.mp4"));
        if (!File.Exists(source)) throw new FileNotFoundException("the shared Hamilton clip is missing (scripts/setup.sh fetches it)", source);
        var path = Path.Combine(folder, "hamilton-720p25.mp4");
        return await TestVideos.RunAsync(
        [
            "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "5", "-i", source, "-t", "60", "-vf", "scale=1280:720,fps=25", "-an",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0", "-g", "50", "-b:v", "3M", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", path,
        ], path);
    }
}
