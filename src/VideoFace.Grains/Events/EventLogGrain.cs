using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using VideoFace.Abstractions;
using VideoFace.Grains.Logs;

namespace VideoFace.Grains.Events;

/// <summary>Persisted state of the identity-event log.</summary>
[GenerateSerializer, Alias("vf.EventLogState")]
public sealed record EventLogState
{
    /// <summary>Sequence of the newest event ever logged; never reused, also after restarts and removals.</summary>
    [Id(0)] public long LastSequence { get; set; }

    /// <summary>Retained events, oldest first, at most <see cref="EventLogGrain.Capacity"/>.</summary>
    [Id(1)] public List<LoggedIdentityEvent> Events { get; init; } = [];
}

/// <summary>
/// The durable identity-event log. An implicit subscription makes exactly one log for the identity-events stream in
/// the cluster (re-activated wherever the stream delivers after a silo dies); each event is numbered, persisted and
/// then published numbered, so an SSE subscriber's Last-Event-ID means the same on every API host and after restarts.
/// </summary>
[ImplicitStreamSubscription(Names.IdentityEventsNamespace)]
public sealed partial class EventLogGrain(
    [PersistentState("event-log", Names.Storage)] IPersistentState<EventLogState> state,
    ILogger<EventLogGrain> logger)
    : Grain, IEventLogGrain, IStreamSubscriptionObserver, IAsyncObserver<IdentityEvent>
{
    /// <summary>Events kept (and persisted with every append, so kept bounded): what a reconnecting subscriber can still catch up on.</summary>
    public const int Capacity = 2000;

    private IAsyncStream<LoggedIdentityEvent>? _stream;
    private SequencedLog<LoggedIdentityEvent> _log = null!;
    private EventLogState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(Names.StreamProvider)
            .GetStream<LoggedIdentityEvent>(StreamId.Create(Names.LoggedEventsNamespace, Names.AllEventsKey));
        _log = new SequencedLog<LoggedIdentityEvent>(S.Events, e => e.Event.EventId, e => e.Sequence);
        return Task.CompletedTask;
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<IdentityEvent>().ResumeAsync(this);

    public async Task OnNextAsync(IdentityEvent item, StreamSequenceToken? token = null)
    {
        try
        {
            await AppendAsync(item);
        }
        catch (Exception ex)
        {
            // thrown on, so the stream delivers it again (with backoff, for a bounded time): appending is idempotent by
            // event id, and a transient failure (a silo lost mid-call, storage unreachable) must not lose the event
            LogAppendFailed(logger, ex, item.EventId);
            throw;
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(logger, ex);
        return Task.CompletedTask;
    }

    public async Task<LoggedIdentityEvent?> AppendAsync(IdentityEvent identityEvent)
    {
        if (_log.Contains(identityEvent.EventId))
        {
            // streams deliver at least once (a queue message redelivered after a silo was lost, an outbox sent again)
            LogRedelivered(logger, identityEvent.EventId);
            return null;
        }
        // an event of an identity erased while it was on its way: it would name someone who is gone
        if (await GrainFactory.GetGrain<IGalleryGrain>(Names.DefaultGallery).IsErasedAsync(identityEvent.IdentityId, identityEvent.Incarnation))
            return null;
        var logged = new LoggedIdentityEvent(++S.LastSequence, identityEvent);
        _log.Add(logged);
        _log.Trim(Capacity);
        // persisted before published: a sequence a subscriber has seen is never handed out again
        await state.WriteStateAsync();
        try
        {
            await _stream!.OnNextAsync(logged);
        }
        catch (Exception ex)
        {
            // logged and persisted: subscribers still read it from the log
            LogPublishFailed(logger, ex, logged.Sequence);
        }
        return logged;
    }

    public Task<IReadOnlyList<LoggedIdentityEvent>> ReadAsync(long afterSequence, int max) => Task.FromResult(_log.After(afterSequence, max));

    public Task<IReadOnlyList<LoggedIdentityEvent>> RecentAsync(int count) => Task.FromResult(_log.Newest(count));

    public Task<long> GetLatestSequenceAsync() => Task.FromResult(S.LastSequence);

    public Task<int> RemoveIdentityAsync(string identityId, long incarnation) =>
        RemoveAsync(e => e.Event.IdentityId == identityId && e.Event.Incarnation <= incarnation);

    public Task<int> PruneOlderThanAsync(DateTimeOffset before) => RemoveAsync(e => e.Event.Time < before);

    /// <summary>Removes matching events; the sequence counter stays, so no number is reused.</summary>
    private async Task<int> RemoveAsync(Predicate<LoggedIdentityEvent> match)
    {
        int removed = _log.RemoveAll(match).Count;
        if (removed > 0) await state.WriteStateAsync();
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Identity event {EventId} arrived again; it is logged once")]
    private static partial void LogRedelivered(ILogger logger, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Identity event {EventId} could not be logged; the stream delivers it again")]
    private static partial void LogAppendFailed(ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity event {Sequence} is logged but could not be published")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity-events stream error at the event log")]
    private static partial void LogStreamError(ILogger logger, Exception ex);
}
