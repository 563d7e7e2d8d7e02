using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Hosting;

/// <summary>What one retention sweep deleted.</summary>
public sealed record RetentionSweep(DateTimeOffset Before, long Sightings, int Blobs, int HistoryEntries);

/// <summary>
/// Deletes face data older than <see cref="VideoFaceHostOptions.SightingRetention"/> every
/// <see cref="VideoFaceHostOptions.RetentionSweepInterval"/>: sightings in the vector index, thumbnails and keyframes
/// in the blob store, and identity history entries. Every step is idempotent, so several silos sweeping the same
/// stores only repeat work; a failed step is logged and retried at the next interval.
/// </summary>
public sealed partial class RetentionSweeper(
    IGrainFactory grains,
    IServiceProvider services,
    IOptions<VideoFaceHostOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    private static readonly string[] BlobPrefixes = ["thumbnails/", "keyframes/"];

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
                if (sweep.Sightings + sweep.Blobs + sweep.HistoryEntries > 0)
                    LogSwept(logger, sweep.Before, sweep.Sightings, sweep.Blobs, sweep.HistoryEntries);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>Deletes everything older than <paramref name="before"/>.</summary>
    public async Task<RetentionSweep> SweepAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        long sightings = 0;
        if (services.GetService<ISightingIndex>() is { } index) sightings = await index.DeleteOlderThanAsync(before, ct);
        int blobs = 0;
        if (services.GetService<IBlobStore>() is { } store)
            foreach (var prefix in BlobPrefixes) blobs += await store.DeleteOlderThanAsync(before, prefix, ct);
        int history = 0;
        foreach (var id in await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).ListIdentitiesAsync())
        {
            ct.ThrowIfCancellationRequested();
            history += await grains.GetGrain<IIdentityGrain>(id).PruneHistoryAsync(before);
        }
        return new RetentionSweep(before, sightings, blobs, history);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: face data older than {Retention} is deleted every {Interval}")]
    private static partial void LogEnabled(ILogger logger, TimeSpan retention, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep before {Before:o}: {Sightings} sightings, {Blobs} images, {History} history entries deleted")]
    private static partial void LogSwept(ILogger logger, DateTimeOffset before, long sightings, int blobs, int history);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed; retrying next interval")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
