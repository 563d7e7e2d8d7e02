using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Hosting;

/// <summary>What erasing one identity deleted, store by store.</summary>
public sealed record IdentityErasureReport(
    string IdentityId, int HistoryEntries, long IndexPoints, int Images, int AlertsRemoved, int EventsRemoved, int RulesRemoved);

/// <summary>What one retention sweep deleted.</summary>
public sealed record RetentionSweep(DateTimeOffset Before, long Sightings, int Blobs, int HistoryEntries, int Alerts = 0, int Events = 0);

/// <summary>
/// The one owner of "delete face data": it knows every place a face or a name ends up (identity history, vector-index
/// sightings, thumbnail and keyframe blobs, the alert log, the identity-event log, alert rules) and deletes from all
/// of them, for one identity (a person erased) or by age (retention). Every step is idempotent, so a step that fails
/// is finished by running the whole erase again.
/// </summary>
public sealed partial class FaceDataEraser(IGrainFactory grains, IServiceProvider services, ILogger<FaceDataEraser> logger)
{
    private static readonly string[] BlobPrefixes = ["thumbnails/", "keyframes/"];

    private IGalleryGrain Gallery => grains.GetGrain<IGalleryGrain>(Names.DefaultGallery);

    /// <summary>
    /// Erases a person or unknown identity everywhere, for good: first the gallery's tombstone (nothing is matched to
    /// the identity any more, and every store drops late writes of its tracks), then each store, then the erase is
    /// marked finished. Null when the id is neither in the gallery nor being erased.
    /// </summary>
    public async Task<IdentityErasureReport?> EraseIdentityAsync(string identityId)
    {
        if (await Gallery.BeginEraseAsync(identityId) is not { } tombstone) return null;
        var report = await CleanAsync(tombstone);
        await Gallery.EndEraseAsync(identityId);
        LogErased(logger, identityId, report.HistoryEntries, report.IndexPoints, report.Images, report.AlertsRemoved, report.EventsRemoved, report.RulesRemoved);
        return report;
    }

    /// <summary>Deletes everything older than <paramref name="before"/>, and finishes erasures a crash left half done.</summary>
    public async Task<RetentionSweep> EraseOlderThanAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        foreach (var pending in await Gallery.PendingErasuresAsync())
        {
            ct.ThrowIfCancellationRequested();
            await EraseIdentityAsync(pending.IdentityId);
        }
        long sightings = 0;
        if (services.GetService<ISightingIndex>() is { } index) sightings = await index.DeleteOlderThanAsync(before, ct);
        int blobs = 0;
        if (services.GetService<IBlobStore>() is { } store)
            foreach (var prefix in BlobPrefixes) blobs += await store.DeleteOlderThanAsync(before, prefix, ct);
        int history = 0;
        foreach (var id in await Gallery.ListIdentitiesAsync())
        {
            ct.ThrowIfCancellationRequested();
            history += await grains.GetGrain<IIdentityGrain>(id).PruneHistoryAsync(before);
        }
        // alerts and events carry names and thumbnails: they go with the sightings they tell of
        int alerts = await grains.GetGrain<IAlertLogGrain>(AlertNames.Default).PruneOlderThanAsync(before);
        int events = await grains.GetGrain<IEventLogGrain>(Names.AllEventsKey).PruneOlderThanAsync(before);
        return new RetentionSweep(before, sightings, blobs, history, alerts, events);
    }

    private async Task<IdentityErasureReport> CleanAsync(IdentityTombstone erased)
    {
        int history = 0, images = 0, alerts = 0, events = 0, rules = 0;
        long points = 0;
        // the identities merged into it are the same person: their ids go too (their grains forward nothing more, and
        // what their still-open tracks wrote under the old id after the merge is deleted with them)
        foreach (var t in (erased.MergedFrom ?? []).Append(erased))
        {
            var own = await grains.GetGrain<IIdentityGrain>(t.IdentityId).EraseAsync(t.Incarnation);
            (history, points, images) = (history + own.HistoryEntries, points + own.IndexPoints, images + own.Blobs);
            alerts += await grains.GetGrain<IAlertLogGrain>(AlertNames.Default).RemoveIdentityAsync(t.IdentityId, t.Incarnation);
            events += await grains.GetGrain<IEventLogGrain>(Names.AllEventsKey).RemoveIdentityAsync(t.IdentityId, t.Incarnation);
            // a rule on the person would watch whoever is enrolled under the id next: it goes too
            rules += await grains.GetGrain<IAlertRulesGrain>(AlertNames.Default).RemoveForPersonAsync(t.IdentityId);
        }
        return new IdentityErasureReport(erased.IdentityId, history, points, images, alerts, events, rules);
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Erased {Identity}: {History} history entries, {Points} index points, {Images} images, {Alerts} alerts, {Events} events, {Rules} rules")]
    private static partial void LogErased(ILogger logger, string identity, int history, long points, int images, int alerts, int events, int rules);
}
