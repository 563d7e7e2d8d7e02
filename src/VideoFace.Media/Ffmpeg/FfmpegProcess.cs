using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using FFMpegCore;

namespace VideoFace.Media.Ffmpeg;

/// <summary>
/// One running ffmpeg with stdin/stdout/stderr as pipes. Disposing kills it (and any children) and waits for it.
/// </summary>
/// <remarks>
/// Arguments are built as lists and passed through <see cref="ProcessStartInfo.ArgumentList"/>: a command line built as
/// one string and re-split by the process start let a quote in a camera path add ffmpeg inputs and outputs.
/// FFMpegCore's runner (Instances) is not used for streaming: on cancel it sends
/// "q" and waits, which never lands while ffmpeg is blocked writing to a full pipe; it exposes stderr only per line
/// through a callback without the process id; and its pipe sinks copy every frame through an extra named-pipe
/// stream. Owning the Process lets us read stdout straight into pooled buffers and kill the whole tree at once.
/// </remarks>
internal sealed partial class FfmpegProcess : IAsyncDisposable
{
    private readonly Process _process;

    private FfmpegProcess(Process process) => _process = process;

    public int Id { get; private set; }

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public StreamReader StandardError => _process.StandardError;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The ffmpeg binary: the configured path, FFMpegCore's configured folder, or ffmpeg on PATH.</summary>
    public static string ResolveBinary(string? configured) =>
        configured ?? GlobalFFOptions.GetFFMpegBinaryPath();

    /// <summary>Starts ffmpeg with each argument passed as is: nothing in a path or URL is ever re-split or shell-parsed.</summary>
    public static FfmpegProcess Start(string binary, IReadOnlyList<string> arguments, bool redirectStdin = false)
    {
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        process.Start();
        GrowPipe(process.StandardOutput.BaseStream);
        return new FfmpegProcess(process) { Id = process.Id };
    }

    /// <summary>The arguments as one line for a log, each quoted where it holds a space or quote (display only, never run).</summary>
    public static string Display(IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a =>
            a.Length > 0 && !a.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\') ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    // Linux pipes hold 64 KiB; a 1080p BGR frame is 6 MiB, so ffmpeg and the reader would ping-pong ~100 times
    // per frame. A 1 MiB pipe (the default unprivileged maximum) cuts those context switches 16-fold.
    private static void GrowPipe(Stream stdout)
    {
        if (!OperatingSystem.IsLinux()) return;
        var handle = stdout switch
        {
            PipeStream pipe => pipe.SafePipeHandle.DangerousGetHandle(),
            FileStream file => file.SafeFileHandle.DangerousGetHandle(),
            _ => IntPtr.Zero,
        };
        if (handle != IntPtr.Zero) _ = Fcntl((int)handle, SetPipeSize, 1 << 20); // best effort: failure keeps 64 KiB
    }

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>Kills ffmpeg and its children now; safe to call more than once.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // a process that ignores SIGKILL for 10 s is beyond our help; do not hang the caller
        }
        _process.Dispose();
    }
}
