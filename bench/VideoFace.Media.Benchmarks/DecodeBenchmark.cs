using System.Diagnostics;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Benchmarks;

/// <summary>Decoded frames/s: IFrameSource (every frame, BGR in pooled buffers) vs ffmpeg alone on the same file.</summary>
internal static class DecodeBenchmark
{
    private const int Rounds = 3;

    public static async Task RunAsync(Clips clips)
    {
        Console.WriteLine();
        Console.WriteLine($"decode throughput, frames/s (best of {Rounds} interleaved rounds)");
        Console.WriteLine($"{"clip",-6} {"frames",6} {"ffmpeg null",12} {"ffmpeg bgr24",13} {"IFrameSource",13} {"vs null",8} {"vs bgr24",9}");
        foreach (var (name, path) in new[] { ("720p", clips.Hd720), ("1080p", clips.Hd1080) })
        {
            double nullFps = 0, bgrFps = 0, sourceFps = 0;
            long frames = 0;
            for (var round = 0; round < Rounds; round++)
            {
                var n = await FfmpegAsync(["-i", "file:" + Path.GetFullPath(path), "-f", "null", "-"]);
                var b = await FfmpegAsync(["-i", "file:" + Path.GetFullPath(path), "-map", "0:v:0", "-pix_fmt", "bgr24", "-f", "rawvideo", "-y", "/dev/null"]);
                var (count, s) = await FrameSourceAsync(path);
                frames = count;
                nullFps = Math.Max(nullFps, count / n);
                bgrFps = Math.Max(bgrFps, count / b);
                sourceFps = Math.Max(sourceFps, count / s);
            }
            Console.WriteLine($"{name,-6} {frames,6} {nullFps,12:0.0} {bgrFps,13:0.0} {sourceFps,13:0.0} {sourceFps / nullFps,7:0.00}x {sourceFps / bgrFps,8:0.00}x");
        }
    }

    /// <summary>
    /// The sampled path a camera uses: ffmpeg decodes, keeps <paramref name="fps"/> frames per second and converts only
    /// those to BGR. IFrameSource against the same ffmpeg command writing raw video to /dev/null, in seconds of video
    /// per wall second; then the keyframe-only mode (-skip_frame nokey) both ways.
    /// </summary>
    public static async Task RunSampledAsync(Clips clips, double fps)
    {
        Console.WriteLine();
        Console.WriteLine($"sampled decode at {fps} analysis fps: video seconds decoded per wall second (best of {Rounds} interleaved rounds)");
        Console.WriteLine($"{"clip",-6} {"mode",-10} {"frames",6} {"ffmpeg rawvideo",16} {"IFrameSource",13} {"ratio",7}");
        var rate = fps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, path, seconds) in new[] { ("720p", clips.Hd720, 10.0), ("1080p", clips.Hd1080, 10.0) })
            foreach (var keyframes in new[] { false, true })
            {
                // the same filters DecodeArguments builds, without showinfo (the bare tool needs no frame metadata)
                var sample = keyframes ? $"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{(1 / fps).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})'" : $"fps={rate}";
                string[] baseline = [.. keyframes ? (string[])["-skip_frame", "nokey"] : [], "-i", "file:" + Path.GetFullPath(path), "-map", "0:v:0", "-an", "-vf", sample + ",format=bgr24",
                    "-fps_mode", "passthrough", "-f", "rawvideo", "-y", "/dev/null"];
                double bare = 0, ours = 0;
                long frames = 0;
                for (var round = 0; round < Rounds; round++)
                {
                    var b = await FfmpegAsync(baseline);
                    var (count, s) = await FrameSourceAsync(path, new MediaOptions
                    {
                        AnalysisFps = fps, KeyframesOnly = keyframes, QueueCapacity = 8, HardwareDecode = HardwareDecode.Off,
                        ConnectTimeout = TimeSpan.FromSeconds(60), // a loaded machine must not fail the measurement
                    });
                    frames = count;
                    bare = Math.Max(bare, seconds / b);
                    ours = Math.Max(ours, seconds / s);
                }
                Console.WriteLine($"{name,-6} {(keyframes ? "keyframes" : "all"),-10} {frames,6} {bare,15:0.0}x {ours,12:0.0}x {ours / bare,6:0.00}x");
            }
    }

    private static async Task<double> FfmpegAsync(string[] arguments)
    {
        var watch = Stopwatch.StartNew();
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", .. arguments]) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed");
        return watch.Elapsed.TotalSeconds;
    }

    private static Task<(long Frames, double Seconds)> FrameSourceAsync(string path) =>
        FrameSourceAsync(path, new MediaOptions { AnalysisFps = 0, QueueCapacity = 8, HardwareDecode = HardwareDecode.Off });

    private static async Task<(long Frames, double Seconds)> FrameSourceAsync(string path, MediaOptions options)
    {
        var watch = Stopwatch.StartNew();
        long frames = 0, checksum = 0;
        await using (var source = new FfmpegFrameSource(path, options))
        {
            await foreach (var frame in source.ReadFramesAsync())
            {
                using (frame)
                {
                    frames++;
                    checksum += frame.Pixels[frame.Length / 2]; // touch the pixels, as a consumer would
                }
            }
            if (source.Health.State != Health.HealthState.Ended) throw new InvalidOperationException($"source ended {source.Health}");
        }
        GC.KeepAlive(checksum);
        return (frames, watch.Elapsed.TotalSeconds);
    }
}
