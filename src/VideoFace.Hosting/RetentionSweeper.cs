using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VideoFace.Hosting;

/// <summary>
/// Deletes face data older than <see cref="VideoFaceHostOptions.SightingRetention"/> every
/// <see cref="VideoFaceHostOptions.RetentionSweepInterval"/>, through <see cref="FaceDataEraser"/> (the same code that
/// erases a person, so both reach the same stores): sightings in the vector index, thumbnails and keyframes in the blob
/// store, identity history entries, alerts and identity events. Every step is idempotent, so several silos sweeping
/// the same stores only repeat work; a failed step is logged and retried at the next interval.
/// </summary>
public sealed partial class RetentionSweeper(
    FaceDataEraser eraser,
    IOptions<VideoFaceHostOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.SightingRetention;
        if (retention <= TimeSpan.Zero) return;
        LogEnabled(logger, retention, options.Value.RetentionSweepInterval);
        // the first sweep after one interval: the silo is up by then, and a restart loop does not sweep on every start
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var sweep = await SweepAsync(time.GetUtcNow() - retention, stoppingToken);
                if (sweep.Sightings + sweep.Blobs + sweep.HistoryEntries + sweep.Alerts + sweep.Events > 0)
                    LogSwept(logger, sweep.Before, sweep.Sightings, sweep.Blobs, sweep.HistoryEntries, sweep.Alerts, sweep.Events);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>Deletes everything older than <paramref name="before"/>.</summary>
    public Task<RetentionSweep> SweepAsync(DateTimeOffset before, CancellationToken ct = default) => eraser.EraseOlderThanAsync(before, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: face data older than {Retention} is deleted every {Interval}")]
    private static partial void LogEnabled(ILogger logger, TimeSpan retention, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Retention sweep before {Before:o}: {Sightings} sightings, {Blobs} images, {History} history entries, {Alerts} alerts, {Events} events deleted")]
    private static partial void LogSwept(ILogger logger, DateTimeOffset before, long sightings, int blobs, int history, int alerts, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed; retrying next interval")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
