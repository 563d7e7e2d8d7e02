using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;

namespace VideoFace.Media.Output;

/// <summary>
/// Writes BGR frames to an H.264 (yuv420p, faststart) mp4 by piping raw video into ffmpeg; for annotated output.
/// Call <see cref="CompleteAsync"/> to finish the file; disposing without it abandons the file.
/// </summary>
public sealed class FfmpegVideoWriter : IAsyncDisposable
{
    private readonly FfmpegProcess _process;
    private readonly Task<string> _stderr;
    private readonly ILogger _logger;
    private bool _completed;

    private FfmpegVideoWriter(string path, int width, int height, FfmpegProcess process, ILogger logger)
    {
        Path = path;
        Width = width;
        Height = height;
        _process = process;
        _logger = logger;
        _stderr = Task.Run(() => TailAsync(process.StandardError));
    }

    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    public long FramesWritten { get; private set; }

    /// <summary>Starts ffmpeg writing <paramref name="path"/> (overwritten) from frames of the given size and rate.</summary>
    public static FfmpegVideoWriter Open(string path, int width, int height, double fps, int crf = 23, string preset = "veryfast",
        string? ffmpegPath = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!(fps > 0)) throw new ArgumentOutOfRangeException(nameof(fps), fps, "must be positive");
        var inv = CultureInfo.InvariantCulture;
        var arguments = Arguments(path, width, height, fps, crf, preset);
        var process = FfmpegProcess.Start(FfmpegProcess.ResolveBinary(ffmpegPath), arguments, redirectStdin: true);
        return new FfmpegVideoWriter(path, width, height, process, logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The argument list: raw BGR on stdin, the mp4 at <c>file:/full/path</c> so a name that starts with <c>-</c> or holds
    /// a <c>:</c> is still that one file.
    /// </summary>
    internal static IReadOnlyList<string> Arguments(string path, int width, int height, double fps, int crf, string preset)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            "-hide_banner", "-nostats", "-loglevel", "error",
            "-protocol_whitelist", "file,pipe",
            "-f", "rawvideo", "-pix_fmt", "bgr24",
            "-video_size", string.Create(inv, $"{width}x{height}"), "-framerate", string.Create(inv, $"{fps:0.###}"),
            "-i", "pipe:0",
            // yuv420p needs even sizes; pad odd ones by a pixel so any frame size is playable.
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v", "libx264", "-preset", preset, "-crf", crf.ToString(inv), "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            "-f", "mp4", "-y", "file:" + System.IO.Path.GetFullPath(path),
        ];
    }

    public ValueTask WriteAsync(VideoFrame frame, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, the writer {Width}x{Height}", nameof(frame));
        return WriteAsync(frame.Memory, ct);
    }

    /// <summary>Writes one tightly packed BGR24 frame.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bgr, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (bgr.Length != Width * Height * 3)
            throw new ArgumentException($"expected {Width * Height * 3} bytes, got {bgr.Length}", nameof(bgr));
        try
        {
            await _process.StandardInput.WriteAsync(bgr, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new IOException($"ffmpeg stopped accepting frames for {Path}: {await _stderr.ConfigureAwait(false)}", e);
        }
        FramesWritten++;
    }

    /// <summary>Ends the input and waits until ffmpeg has finalised the file; throws if it failed.</summary>
    public async Task CompleteAsync(CancellationToken ct = default)
    {
        if (_completed) return;
        _completed = true;
        await _process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
        _process.StandardInput.Close();
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        var detail = await _stderr.ConfigureAwait(false);
        _logger.WriterFinished(Path, _process.ExitCode, detail);
        if (_process.ExitCode != 0) throw new IOException($"ffmpeg failed writing {Path} ({_process.ExitCode}): {detail}");
    }

    public async ValueTask DisposeAsync()
    {
        _completed = true;
        await _process.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<string> TailAsync(StreamReader reader)
    {
        var lines = new Queue<string>();
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (lines.Count == 5) lines.Dequeue();
                lines.Enqueue(line);
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        return string.Join(" | ", lines);
    }
}
