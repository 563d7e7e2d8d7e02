using System.Diagnostics;
using VideoFace.Media;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Vision;
using VideoFace.Vision.Onnx;

namespace VideoFace.Benchmarks;

/// <summary>
/// GPU path: N synthetic 1080p streams with real faces (the shared Hamilton clip, upscaled and looped), each decoded
/// by ffmpeg with NVDEC (-hwaccel cuda) at the analysis fps, analysed by one FaceAnalyzer on the CUDA or TensorRT
/// execution provider. Doubles N until a stream falls below 95 % of the analysis fps over the window and prints the
/// streams sustained and faces/s. Refuses to run (exit 2) without an NVIDIA GPU, a GPU provider or NVDEC: a figure
/// silently measured on the CPU would be wrong.
/// </summary>
internal static class GpuStreamsBenchmark
{
    public static async Task<int> RunAsync(string provider, double fps, TimeSpan window, int maxStreams)
    {
        if (!File.Exists("/dev/nvidiactl") && !File.Exists("/proc/driver/nvidia/version"))
            return Fail("no NVIDIA GPU on this machine (no /dev/nvidiactl): the GPU benchmark measures nothing here");
        var repo = FindRepo();
        var device = provider.Equals("tensorrt", StringComparison.OrdinalIgnoreCase) ? ExecutionDevice.TensorRt : ExecutionDevice.Cuda;
        var vision = new VisionOptions { ModelsDirectory = Path.Combine(repo, "models"), Device = device, FlipAugment = false };
        var chosen = new OnnxSessionFactory(vision).Provider;
        if (chosen == "CPU") return Fail($"ONNX Runtime did not start the {device} execution provider (CUDA/cuDNN libraries missing?)");
        if (device == ExecutionDevice.TensorRt && chosen != "TensorRT")
            return Fail($"TensorRT requested but ONNX Runtime chose {chosen} (libnvinfer missing?)");
        var clip = await MakeClipAsync(repo, window);
        Console.WriteLine($"GPU streams benchmark: provider {chosen}, NVDEC decode, 1080p clip {clip}, {fps} analysis fps, window {window.TotalSeconds:0} s");
        using var analyzer = FaceAnalyzer.Create(vision);
        using (var warm = new OpenCvSharp.Mat(1080, 1920, OpenCvSharp.MatType.CV_8UC3)) analyzer.Analyze(warm); // engines built before timing

        Console.WriteLine($"{"streams",7} {"min fps",8} {"mean fps",9} {"faces/s",8} {"frames dropped",15}  sustained (each ≥ 95 % of {fps} fps)");
        var best = 0;
        for (var n = 1; n <= maxStreams; n *= 2)
        {
            var (minFps, meanFps, facesPerSecond, dropped, nvdec) = await LevelAsync(analyzer, clip, n, fps, window);
            if (!nvdec) return Fail("ffmpeg fell back to software decoding (no NVDEC in this ffmpeg build?)");
            var ok = minFps >= 0.95 * fps;
            Console.WriteLine($"{n,7} {minFps,8:0.00} {meanFps,9:0.00} {facesPerSecond,8:0.0} {dropped,15}  {(ok ? "yes" : "NO")}");
            if (!ok) break;
            best = n;
        }
        Console.WriteLine($"=> {best} 1080p streams sustained at {fps} analysis fps on {chosen} + NVDEC (doubling steps: the true figure is between {best} and {best * 2})");
        return 0;
    }

    private static async Task<(double MinFps, double MeanFps, double FacesPerSecond, long Dropped, bool Nvdec)> LevelAsync(
        FaceAnalyzer analyzer, string clip, int n, double fps, TimeSpan window)
    {
        var warmUp = TimeSpan.FromSeconds(5);
        using var stop = new CancellationTokenSource(warmUp + window);
        var counts = new long[n];
        long faces = 0;
        var nvdec = true;
        var sources = Enumerable.Range(0, n).Select(_ => new FfmpegFrameSource(clip, new MediaOptions
        {
            AnalysisFps = fps, HardwareDecode = HardwareDecode.Cuda, ReadFileAtNativeRate = true, Live = true, QueueCapacity = 2,
        })).ToList();
        var started = Stopwatch.StartNew();
        var tasks = sources.Select((source, i) => Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in source.ReadFramesAsync(stop.Token))
                    using (frame)
                    {
                        using var mat = frame.AsMat();
                        var found = analyzer.Analyze(mat).Count;
                        if (started.Elapsed < warmUp) continue;
                        Interlocked.Increment(ref counts[i]);
                        Interlocked.Add(ref faces, found);
                    }
            }
            catch (OperationCanceledException)
            {
                // window over
            }
        })).ToList();
        await Task.WhenAll(tasks);
        long dropped = 0;
        foreach (var source in sources)
        {
            dropped += source.Counters.Dropped;
            if (source.HealthHistory.Any(h => h.Reason == HealthReason.HardwareDecode)) nvdec = false;
            await source.DisposeAsync();
        }
        var seconds = window.TotalSeconds;
        return (counts.Min() / seconds, counts.Average() / seconds, faces / seconds, dropped, nvdec);
    }

    /// <summary>The shared Hamilton clip upscaled to 1080p and looped past the window (made once, with ffmpeg).</summary>
    private static async Task<string> MakeClipAsync(string repo, TimeSpan window)
    {
        var source = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data", "video", "ageitgey-short_hamilton_clip.mp4"));
        if (!File.Exists(source)) throw new FileNotFoundException("the shared Hamilton clip is missing (run scripts/setup.sh)", source);
        var path = Path.Combine(Path.GetTempPath(), $"videoface-gpu-1080p-{(int)window.TotalSeconds + 30}s.mp4");
        if (File.Exists(path)) return path;
        var seconds = (int)window.TotalSeconds + 30; // warm-up and ramp slack: the file must outlast a level
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", source, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-vf", "scale=1920:1080,fps=25", "-an", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0", "-g", "50",
            "-pix_fmt", "yuv420p", path,
        ]) { UseShellExecute = false })!;
        await ffmpeg.WaitForExitAsync();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not make the 1080p clip");
        return path;
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine("GPU benchmark not run: " + why);
        return 2;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VideoFace.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("VideoFace.sln not found above the benchmark");
    }
}
