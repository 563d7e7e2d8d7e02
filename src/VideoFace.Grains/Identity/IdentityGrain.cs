using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Grains.Identity;

/// <summary>
/// Per-person track history and Appeared / MovedCamera / Left events, published on the identity-events stream. Owns
/// the identity's data everywhere: a merge moves its sightings in the vector index, an erase deletes them and their
/// images. (The index and blob store are the silo's; a silo without them only keeps history.)
/// </summary>
public sealed partial class IdentityGrain(
    [PersistentState("identity", Names.Storage)] IPersistentState<IdentityState> state,
    IServiceProvider services,
    ILogger<IdentityGrain> logger) : Grain, IIdentityGrain
{
    /// <summary>History entries kept per identity; older ones are dropped (counts stay).</summary>
    public const int MaxHistory = IdentityTimeline.MaxHistory;

    /// <summary>How soon events that could not be put on the stream are tried again.</summary>
    public static readonly TimeSpan OutboxRetry = TimeSpan.FromSeconds(5);

    private IAsyncStream<IdentityEvent>? _events;
    private IGrainTimer? _outboxTurn;
    private bool _sentUnsaved; // events published and dropped from the outbox in memory, not yet in storage
    private IdentityTimeline? _timeline;
    private IdentityState S => state.State;

    // the state object is replaced on erase, merge and re-enrolment: the timeline always works on the current one
    private IdentityTimeline Timeline => _timeline is { } t && ReferenceEquals(t.State, S) ? t : _timeline = new IdentityTimeline(S);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        // events the previous activation wrote but may not have published (its silo died in between)
        await FlushOutboxAsync();
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task SetNameAsync(string? name)
    {
        if (S.Name == name && state.RecordExists && S.MergedInto is null && !S.Erased) return;
        bool renamed = state.RecordExists && S.Name != name;
        // naming an erased or merged-away id (a person enrolled again under the same name) starts it afresh
        if (S.Erased || S.MergedInto is not null) state.State = new IdentityState { ErasedThrough = S.ErasedThrough, Outbox = S.Outbox };
        S.Name = name;
        await state.WriteStateAsync();
        // search results carry the name: keep the index's copy current
        if (renamed && services.GetService<ISightingIndex>() is { } index) await index.ReassignIdentityAsync(Id, Id, name);
    }

    public async Task TrackStartedAsync(TrackSighting sighting)
    {
        if (S.MergedInto is { } target)
        {
            await GrainFactory.GetGrain<IIdentityGrain>(target).TrackStartedAsync(sighting);
            return;
        }
        if (S.Erased || IsErased(sighting)) return;
        if (Timeline.Start(sighting) is not { } events) return;
        await PersistAsync(events);
    }

    public async Task TrackEndedAsync(TrackSighting sighting)
    {
        if (S.MergedInto is { } target)
        {
            await GrainFactory.GetGrain<IIdentityGrain>(target).TrackEndedAsync(sighting);
            return;
        }
        if (S.Erased || IsErased(sighting)) return;
        if (Timeline.End(sighting) is not { } events) return;
        await PersistAsync(events);
    }

    /// <summary>One state write carries the change and its events (in the outbox); then they go on the stream.</summary>
    private async Task PersistAsync(IReadOnlyList<TimelineEvent> events)
    {
        foreach (var e in events) Enqueue(e.Kind, e.Sighting, e.Time, e.PreviousCamera, e.MovedTo);
        await state.WriteStateAsync();
        await FlushOutboxAsync();
    }

    public async Task<TrackSighting?> RetractTrackAsync(string trackId, string movedToIdentityId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trackId);
        ArgumentException.ThrowIfNullOrWhiteSpace(movedToIdentityId);
        if (S.MergedInto is { } target) return await GrainFactory.GetGrain<IIdentityGrain>(target).RetractTrackAsync(trackId, movedToIdentityId);
        if (S.Erased || Timeline.Retract(trackId, movedToIdentityId) is not { } retracted) return null;
        await PersistAsync([retracted.Event]);
        return retracted.Entry;
    }

    public Task<IdentitySummary> GetSummaryAsync() => Task.FromResult(Timeline.Summary(Id));

    public Task<IReadOnlyList<TrackSighting>> GetHistoryAsync(int limit = 100) =>
        Task.FromResult<IReadOnlyList<TrackSighting>>(Enumerable.Reverse(S.History).Take(Math.Max(0, limit)).ToList());

    public async Task<int> PruneHistoryAsync(DateTimeOffset before)
    {
        if (S.Erased || S.MergedInto is not null) return 0;
        int removed = Timeline.Prune(before);
        if (removed > 0) await state.WriteStateAsync();
        return removed;
    }

    public async Task<IdentityErasure> EraseAsync(long incarnation)
    {
        int blobCount = 0;
        if (services.GetService<IBlobStore>() is { } blobs)
        {
            foreach (var key in Timeline.BlobKeys())
                if (await blobs.DeleteAsync(key)) blobCount++;
        }
        long points = 0;
        if (services.GetService<ISightingIndex>() is { } index) points = await index.DeleteByIdentityAsync(Id);
        int history = S.History.Count;
        LogErased(logger, Id, history, points);
        state.State = new IdentityState { Erased = true, ErasedThrough = Math.Max(incarnation, S.ErasedThrough ?? long.MinValue) };
        await state.WriteStateAsync();
        return new IdentityErasure(history, points, blobCount);
    }

    /// <summary>A report of a track matched to an erased incarnation of this id (one the camera session still follows).</summary>
    private bool IsErased(TrackSighting s) => S.ErasedThrough is { } erased && s.Incarnation <= erased;

    public async Task<IdentitySummary> MergeIntoAsync(string targetId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        if (targetId == Id) throw new ArgumentException($"identity '{Id}' cannot be merged into itself");
        if (S.Erased) throw new InvalidOperationException($"identity '{Id}' was erased");
        if (S.MergedInto is { } done && done != targetId) throw new InvalidOperationException($"identity '{Id}' was already merged into '{done}'");
        var target = GrainFactory.GetGrain<IIdentityGrain>(targetId);
        // the target takes the history first (idempotent per track), then the index follows, then this id forwards:
        // a merge cut short and run again completes without duplicates
        var summary = await target.AbsorbAsync(Timeline.Transfer(Id));
        long points = 0;
        if (services.GetService<ISightingIndex>() is { } index) points = await index.ReassignIdentityAsync(Id, targetId, summary.Name);
        LogMerged(logger, Id, targetId, S.History.Count, points);
        var lastCamera = S.LastCamera;
        state.State = new IdentityState { MergedInto = targetId, Outbox = S.Outbox };
        // one event says so, in the same write: the alert side moves its rules, the event log shows it
        Enqueue(IdentityEventKind.Merged, new TrackSighting(lastCamera ?? "", "", DateTimeOffset.UtcNow, null, 0, null), DateTimeOffset.UtcNow,
            null, targetId, summary.Name);
        await state.WriteStateAsync();
        await FlushOutboxAsync();
        return summary;
    }

    public async Task<IdentitySummary> AbsorbAsync(IdentityTransfer transfer)
    {
        if (S.MergedInto is { } further) return await GrainFactory.GetGrain<IIdentityGrain>(further).AbsorbAsync(transfer);
        if (S.Erased) throw new InvalidOperationException($"identity '{Id}' was erased");
        if (Timeline.Absorb(transfer)) await state.WriteStateAsync();
        return Timeline.Summary(Id);
    }

    /// <summary>Adds an event to the outbox, with its id for good; the caller's state write persists it.</summary>
    private void Enqueue(IdentityEventKind kind, TrackSighting s, DateTimeOffset time, string? previousCamera, string? movedTo = null, string? name = null)
    {
        // the event carries its span: stream delivery does not carry the trace, the alert evaluator continues it (also
        // when the event leaves the outbox only at a later activation)
        using var activity = Pipeline.VideoFaceActivities.Source.StartActivity(Pipeline.VideoFaceActivities.IdentityEvent);
        activity?.SetTag("videoface.event.kind", kind.ToString());
        var e = new IdentityEvent(Guid.NewGuid().ToString("N"), kind, Id, name ?? S.Name, s.CameraId,
            previousCamera, s.TrackId, time, s.Similarity, s.ThumbnailKey, s.Incarnation, movedTo, Pipeline.VideoFaceActivities.CurrentTraceParent());
        LogEvent(logger, kind, e.IdentityId, e.Name ?? "unknown", s.CameraId, s.TrackId);
        GrainInstruments.IdentityEventsCounter.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        S.Outbox.Add(e);
    }

    /// <summary>
    /// Publishes the outbox in order. What went out leaves the outbox in memory at once and in storage in a turn of its
    /// own right after this call (so a track report waits for one write, not two); a crash in between sends those
    /// events again under the same ids at the next activation, and the consumers drop the copies. A failed publish keeps
    /// the rest for a retry in <see cref="OutboxRetry"/> (or at the next call or activation).
    /// </summary>
    private async Task FlushOutboxAsync()
    {
        if (S.Outbox.Count == 0) return;
        int sent = 0;
        try
        {
            foreach (var e in S.Outbox)
            {
                await _events!.OnNextAsync(e);
                sent++;
            }
        }
        catch (Exception ex)
        {
            LogPublishFailed(logger, ex, Id, S.Outbox.Count - sent);
        }
        if (sent > 0)
        {
            S.Outbox.RemoveRange(0, sent);
            _sentUnsaved = true;
        }
        ScheduleOutboxTurn(S.Outbox.Count > 0 ? OutboxRetry : TimeSpan.Zero);
    }

    private void ScheduleOutboxTurn(TimeSpan due)
    {
        _outboxTurn?.Dispose();
        _outboxTurn = this.RegisterGrainTimer(OutboxTurnAsync, due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Retries what is still in the outbox, or persists that the sent events left it.</summary>
    private async Task OutboxTurnAsync(CancellationToken ct)
    {
        _outboxTurn?.Dispose();
        _outboxTurn = null;
        if (S.Outbox.Count > 0)
        {
            await FlushOutboxAsync();
            return;
        }
        await SaveSentAsync(retry: true);
    }

    private async Task SaveSentAsync(bool retry)
    {
        if (!_sentUnsaved) return;
        _sentUnsaved = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // harmless until it succeeds: at worst the next activation sends those events again
            _sentUnsaved = true;
            LogSaveFailed(logger, ex, Id);
            if (retry) ScheduleOutboxTurn(OutboxRetry);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => SaveSentAsync(retry: false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Identity {Identity} erased: {Tracks} history entries, {Points} index points")]
    private static partial void LogErased(ILogger logger, string identity, int tracks, long points);

    [LoggerMessage(Level = LogLevel.Information, Message = "Identity {Identity} merged into {Target}: {Tracks} history entries, {Points} index points")]
    private static partial void LogMerged(ILogger logger, string identity, string target, int tracks, long points);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity {Identity}: publishing its events failed; {Pending} are kept and retried")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, string identity, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity {Identity}: its published events could not be marked sent yet; retried")]
    private static partial void LogSaveFailed(ILogger logger, Exception ex, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: {Identity} ({Name}) on camera {Camera}, track {Track}")]
    private static partial void LogEvent(ILogger logger, IdentityEventKind kind, string identity, string name, string camera, string track);
}
