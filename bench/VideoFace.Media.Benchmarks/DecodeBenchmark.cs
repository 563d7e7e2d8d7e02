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

    private static async Task<(long Frames, double Seconds)> FrameSourceAsync(string path)
    {
        var options = new MediaOptions { AnalysisFps = 0, QueueCapacity = 8, HardwareDecode = HardwareDecode.Off };
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
