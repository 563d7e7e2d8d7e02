using System.Diagnostics;
using System.Globalization;
using System.Text;
using VideoFace.Media;
using VideoFace.Media.Sources;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>A clip decoded once into memory at the analysis rate: BGR24 pixels per frame.</summary>
internal sealed record DecodedClip(string Name, IReadOnlyList<byte[]> Frames, int Width, int Height, double Fps)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(Frames.Count / Fps);
}

/// <summary>The benchmark's inputs: H.264 clips made with ffmpeg from the dev face photos, decoded by the product's source.</summary>
internal static class Clips
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// 1280×720, 25 fps, H.264 High, 10 s: five face photos (260 px tiles) on grey, each drifting slowly
    /// (±40 px horizontally, ±20 px vertically) so tracks keep their faces.
    /// </summary>
    public static async Task<string> CrowdAsync(string folder, IReadOnlyList<string> photos)
    {
        var path = Path.Combine(folder, "crowd-720p.mp4");
        (int X, int Y)[] tiles = [(80, 60), (500, 60), (920, 60), (290, 400), (710, 400)];
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=0x505050:s=1280x720:r=25:d=10" };
        foreach (var p in photos.Take(tiles.Length)) args.AddRange(["-loop", "1", "-framerate", "25", "-i", p]);
        var filter = new StringBuilder();
        string last = "0:v";
        for (int k = 1; k <= Math.Min(photos.Count, tiles.Length); k++)
        {
            var (x, y) = tiles[k - 1];
            filter.Append(Inv, $"[{k}:v]scale=260:260,setsar=1[f{k}];");
            filter.Append(Inv, $"[{last}][f{k}]overlay=x={x}+40*sin(0.5*t+{k}):y={y}+20*cos(0.4*t+{k}):shortest=1[o{k}];");
            last = $"o{k}";
        }
        filter.Append(Inv, $"[{last}]format=yuv420p[out]");
        args.AddRange(["-filter_complex", filter.ToString(), "-map", "[out]", "-t", "10", "-c:v", "libx264", "-preset", "veryfast",
            "-profile:v", "high", "-g", "50", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path]);
        await FfmpegAsync(args);
        return path;
    }

    /// <summary>
    /// 1280×720, 10 fps, H.264: each photo (300 px) shown for <paramref name="secondsEach"/> at one of six places, then
    /// <paramref name="gapSeconds"/> of grey, so every person is a new track (and a new Appeared event).
    /// </summary>
    public static async Task<string> SequenceAsync(string path, IReadOnlyList<string> photos, double secondsEach = 2, double gapSeconds = 1)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        foreach (var p in photos) args.AddRange(["-loop", "1", "-framerate", "10", "-t", secondsEach.ToString(Inv), "-i", p]);
        args.AddRange(["-f", "lavfi", "-t", gapSeconds.ToString(Inv), "-i", "color=c=gray:s=1280x720:r=10"]);
        var filter = new StringBuilder();
        int grey = photos.Count;
        filter.Append(Inv, $"[{grey}:v]format=yuv420p,setsar=1,split={photos.Count}");
        for (int i = 0; i < photos.Count; i++) filter.Append(Inv, $"[g{i}]");
        filter.Append(';');
        for (int i = 0; i < photos.Count; i++)
        {
            int x = 150 + i % 3 * 400, y = 150 + i % 2 * 100;
            filter.Append(Inv, $"[{i}:v]scale=300:300,pad=1280:720:{x}:{y}:color=gray,fps=10,format=yuv420p,setsar=1[p{i}];");
        }
        for (int i = 0; i < photos.Count; i++) filter.Append(Inv, $"[p{i}][g{i}]");
        filter.Append(Inv, $"concat=n={photos.Count * 2}:v=1:a=0[out]");
        args.AddRange(["-filter_complex", filter.ToString(), "-map", "[out]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-bf", "0",
            "-pix_fmt", "yuv420p", "-r", "10", "-movflags", "+faststart", path]);
        await FfmpegAsync(args);
        return path;
    }

    /// <summary>Decodes a file with the product's ffmpeg source at <paramref name="fps"/> into memory.</summary>
    public static async Task<DecodedClip> DecodeAsync(string path, double fps)
    {
        var options = new MediaOptions { AnalysisFps = fps, Live = false, QueueCapacity = 8 };
        await using var source = new FfmpegFrameSource(path, options);
        var frames = new List<byte[]>();
        int w = 0, h = 0;
        await foreach (var frame in source.ReadFramesAsync())
        {
            using (frame)
            {
                (w, h) = (frame.Width, frame.Height);
                frames.Add(frame.Pixels.ToArray());
            }
        }
        if (frames.Count == 0) throw new InvalidOperationException($"no frames decoded from {path}: {source.Health}");
        return new DecodedClip(Path.GetFileName(path), frames, w, h, fps);
    }

    private static async Task FfmpegAsync(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ffmpeg");
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {await errors}");
    }
}
