using Microsoft.Extensions.Logging;
using VideoFace.Media.Health;

namespace VideoFace.Media;

/// <summary>Source-generated log messages of the media stage.</summary>
internal static partial class MediaLog
{
    [LoggerMessage(1, LogLevel.Debug, "Source {Source}: {From} -> {To} ({Reason}) {Detail}")]
    public static partial void HealthChanged(this ILogger logger, string source, HealthState from, HealthState to, HealthReason reason, string? detail);

    [LoggerMessage(2, LogLevel.Debug, "Source {Source}: starting ffmpeg (pid {Pid}) {Arguments}")]
    public static partial void FfmpegStarted(this ILogger logger, string source, int pid, string arguments);

    [LoggerMessage(3, LogLevel.Debug, "Source {Source}: ffmpeg (pid {Pid}) exited with {ExitCode} after {Frames} frames")]
    public static partial void FfmpegExited(this ILogger logger, string source, int pid, int exitCode, long frames);

    [LoggerMessage(4, LogLevel.Information, "Source {Source}: decoding on the GPU (-hwaccel cuda)")]
    public static partial void UsingCuda(this ILogger logger, string source);

    [LoggerMessage(5, LogLevel.Warning, "Source {Source}: GPU decoding failed ({Detail}); falling back to software decoding")]
    public static partial void CudaFallback(this ILogger logger, string source, string? detail);

    [LoggerMessage(6, LogLevel.Information, "Source {Source}: reconnecting in {Delay} (attempt {Attempt})")]
    public static partial void ReconnectScheduled(this ILogger logger, string source, TimeSpan delay, int attempt);

    [LoggerMessage(7, LogLevel.Trace, "ffmpeg {Source}: {Line}")]
    public static partial void FfmpegOutput(this ILogger logger, string source, string line);

    [LoggerMessage(8, LogLevel.Warning, "Source {Source}: session failed unexpectedly")]
    public static partial void SessionCrashed(this ILogger logger, string source, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Writer {Path}: ffmpeg exited with {ExitCode}: {Detail}")]
    public static partial void WriterFinished(this ILogger logger, string path, int exitCode, string? detail);
}
