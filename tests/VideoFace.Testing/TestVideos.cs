using System.Diagnostics;
using System.Globalization;

namespace VideoFace.Testing;

/// <summary>Makes test clips with ffmpeg's lavfi test sources (nothing is committed).</summary>
public static class TestVideos
{
    /// <summary>An H.264 (yuv420p) clip of testsrc2 with a frame counter; the container follows the extension.</summary>
    public static Task<string> H264Async(string path, int width, int height, double fps, double seconds,
        int keyframeInterval = 25, bool fastStart = true, CancellationToken ct = default)
    {
        var inv = CultureInfo.InvariantCulture;
        List<string> args =
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", string.Create(inv, $"testsrc2=size={width}x{height}:rate={fps}"),
            "-t", seconds.ToString(inv), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", keyframeInterval.ToString(inv), "-bf", "0", "-pix_fmt", "yuv420p",
        ];
        if (fastStart && path.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)) args.AddRange(["-movflags", "+faststart"]);
        args.Add(OutputArgument(path));
        return RunAsync(args, path, ct);
    }

    /// <summary>A clip with an audio stream only.</summary>
    public static Task<string> AudioOnlyAsync(string path, double seconds, CancellationToken ct = default) =>
        RunAsync(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", string.Create(CultureInfo.InvariantCulture, $"sine=frequency=440:duration={seconds}"), "-c:a", "aac", OutputArgument(path)], path, ct);

    /// <summary>An output path as ffmpeg must see it to write exactly that file, whatever characters its name holds.</summary>
    public static string OutputArgument(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Runs ffmpeg with the given argument list (each passed as is) and returns <paramref name="output"/> once it exists.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, string output, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start ffmpeg");
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        if (process.ExitCode != 0 || !File.Exists(output))
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', info.ArgumentList)} failed ({process.ExitCode}): {await errors.ConfigureAwait(false)}");
        return output;
    }

    /// <summary>A fresh temporary folder for one fixture.</summary>
    public static string TempFolder(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), "videoface-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
