using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;

namespace VideoFace.Hosting;

/// <summary>
/// Touches every registered camera periodically, so a camera whose silo died is re-activated (and its ingest
/// restarted) on a live silo within one interval plus Orleans' silo-death detection — faster than reminder ticks.
/// </summary>
public sealed partial class CameraWatchdog(IGrainFactory grains, IOptions<VideoFaceHostOptions> options, ILogger<CameraWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CameraWatchdogInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var cameras = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
                await Task.WhenAll(cameras.Select(id => grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera watchdog round failed; retrying next interval")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
