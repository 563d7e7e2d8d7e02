using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Grains.Logs;
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

    private Outbox<IdentityEvent> _outbox = null!;
    private IGrainTimer? _outboxTurn;
    private IdentityTimeline? _timeline;
    private IdentityState S => state.State;
    private IdentityFaceData FaceData => new(services.GetService<ISightingIndex>(), services.GetService<IBlobStore>());

    // the state object is replaced on erase, merge and re-enrolment: the timeline always works on the current one
    private IdentityTimeline Timeline => _timeline is { } t && ReferenceEquals(t.State, S) ? t : _timeline = new IdentityTimeline(S);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var events = this.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        _outbox = new Outbox<IdentityEvent>(() => S.Outbox, e => events.OnNextAsync(e), () => state.WriteStateAsync(), ScheduleOutboxTurn,
            OutboxRetry, logger, $"Identity {Id}");
        // events the previous activation wrote but may not have published (its silo died in between)
        await _outbox.FlushAsync();
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task SetNameAsync(string? name)
    {
        if (S.Name == name && state.RecordExists && S.MergedInto is null && !S.Erased) return;
        bool renamed = state.RecordExists && S.Name != name;
        // naming an erased or merged-away id (a person enrolled again under the same name) starts it afresh
        if (S.Erased || S.MergedInto is not null) state.State = S.Renewed(name);
        else S.Name = name;
        await state.WriteStateAsync();
        if (renamed) await FaceData.RenameAsync(Id, name);
    }

    public Task TrackStartedAsync(TrackSighting sighting) =>
        ReportAsync(sighting, target => target.TrackStartedAsync(sighting), timeline => timeline.Start(sighting));

    public Task TrackEndedAsync(TrackSighting sighting) =>
        ReportAsync(sighting, target => target.TrackEndedAsync(sighting), timeline => timeline.End(sighting));

    /// <summary>A track report: forwarded once merged away, dropped once erased, else a change of the timeline.</summary>
    private async Task ReportAsync(TrackSighting sighting, Func<IIdentityGrain, Task> forward, Func<IdentityTimeline, List<TimelineEvent>?> change)
    {
        if (S.MergedInto is { } target) await forward(GrainFactory.GetGrain<IIdentityGrain>(target));
        else if (!S.Refuses(sighting) && change(Timeline) is { } events) await PersistAsync(events);
    }

    /// <summary>One state write carries the change and its events (in the outbox); then they go on the stream.</summary>
    private async Task PersistAsync(IReadOnlyList<TimelineEvent> events)
    {
        foreach (var e in events) Enqueue(e.Kind, e.Sighting, e.Time, e.PreviousCamera, e.MovedTo);
        await state.WriteStateAsync();
        await _outbox.FlushAsync();
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
        var (points, images) = await FaceData.EraseAsync(Id, Timeline.BlobKeys());
        int history = S.History.Count;
        LogErased(logger, Id, history, points);
        state.State = S.ErasedThroughIncarnation(incarnation);
        await state.WriteStateAsync();
        return new IdentityErasure(history, points, images);
    }

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
        long points = await FaceData.MoveAsync(Id, targetId, summary.Name);
        LogMerged(logger, Id, targetId, S.History.Count, points);
        var lastCamera = S.LastCamera;
        state.State = S.MergedAway(targetId);
        // one event says so, in the same write: the alert side moves its rules, the event log shows it
        Enqueue(IdentityEventKind.Merged, new TrackSighting(lastCamera ?? "", "", DateTimeOffset.UtcNow, null, 0, null), DateTimeOffset.UtcNow,
            null, targetId, summary.Name);
        await state.WriteStateAsync();
        await _outbox.FlushAsync();
        return summary;
    }

    public async Task<IdentitySummary> AbsorbAsync(IdentityTransfer transfer)
    {
        if (S.MergedInto is { } further) return await GrainFactory.GetGrain<IIdentityGrain>(further).AbsorbAsync(transfer);
        if (S.Erased) throw new InvalidOperationException($"identity '{Id}' was erased");
        if (Timeline.Absorb(transfer)) await state.WriteStateAsync();
        return Timeline.Summary(Id);
    }

    /// <summary>Adds an event to the outbox; the caller's state write persists it.</summary>
    private void Enqueue(IdentityEventKind kind, TrackSighting s, DateTimeOffset time, string? previousCamera, string? movedTo = null, string? name = null) =>
        S.Outbox.Add(IdentityEvents.Create(logger, kind, Id, name ?? S.Name, s, time, previousCamera, movedTo));

    /// <summary>The outbox's turns (<see cref="Outbox{T}"/>: a retry, or saving what was sent) run as one-shot grain timers.</summary>
    private void ScheduleOutboxTurn(TimeSpan due)
    {
        _outboxTurn?.Dispose();
        _outboxTurn = this.RegisterGrainTimer(_ =>
        {
            _outboxTurn?.Dispose();
            _outboxTurn = null;
            return _outbox.TurnAsync();
        }, due, Timeout.InfiniteTimeSpan);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _outbox.SaveSentAsync(retryOnFailure: false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Identity {Identity} erased: {Tracks} history entries, {Points} index points")]
    private static partial void LogErased(ILogger logger, string identity, int tracks, long points);

    [LoggerMessage(Level = LogLevel.Information, Message = "Identity {Identity} merged into {Target}: {Tracks} history entries, {Points} index points")]
    private static partial void LogMerged(ILogger logger, string identity, string target, int tracks, long points);
}
