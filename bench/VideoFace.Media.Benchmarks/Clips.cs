using VideoFace.Testing;

namespace VideoFace.Media.Benchmarks;

/// <summary>The benchmark's inputs, generated with ffmpeg lavfi (testsrc2, H.264 High, ~10 s).</summary>
internal sealed record Clips(string Hd720, string Hd1080, string Hd720Rtsp)
{
    public static async Task<Clips> MakeAsync(string folder)
    {
        Console.WriteLine("generating clips (ffmpeg lavfi testsrc2, libx264 veryfast) ...");
        return new Clips(
            await Make(Path.Combine(folder, "720p.mp4"), "1280x720", 30, 10),
            await Make(Path.Combine(folder, "1080p.mp4"), "1920x1080", 30, 10),
            await Make(Path.Combine(folder, "720p25-camera.mp4"), "1280x720", 25, 8, camera: true));
    }

    private static async Task<string> Make(string path, string size, int fps, int seconds, bool camera = false)
    {
        // cameras stream Main profile without B-frames
        string[] profile = camera ? ["-profile:v", "main", "-bf", "0"] : ["-profile:v", "high"];
        if (File.Exists(path)) return path;
        // H.264 High with B-frames, as cameras and phones produce; a moving, textured source so decoding is not trivial.
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return await TestVideos.RunAsync(
            ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", string.Create(inv, $"testsrc2=size={size}:rate={fps}"),
             "-t", seconds.ToString(inv), "-c:v", "libx264", "-preset", "veryfast", .. profile, "-g", (fps * 2).ToString(inv), "-b:v", "4M",
             "-pix_fmt", "yuv420p", "-movflags", "+faststart", TestVideos.OutputArgument(path)], path);
    }
}
