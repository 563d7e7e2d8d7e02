using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// The durable, bounded identity-event log (key: <see cref="Names.AllEventsKey"/>): numbers each event of the
/// identity-events stream with a sequence that survives restarts, keeps the newest ones persisted and publishes them
/// on the <see cref="Names.LoggedEventsNamespace"/> stream, so a feed resumes after Last-Event-ID on any host.
/// </summary>
public interface IEventLogGrain : IGrainWithStringKey
{
    /// <summary>Logs an event (an event id already logged, or one of an erased identity, is skipped); returns it numbered, or null.</summary>
    Task<LoggedIdentityEvent?> AppendAsync(IdentityEvent identityEvent);

    /// <summary>Logged events with a sequence above <paramref name="afterSequence"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<LoggedIdentityEvent>> ReadAsync(long afterSequence, int max);

    /// <summary>The newest <paramref name="count"/> events, oldest first.</summary>
    Task<IReadOnlyList<LoggedIdentityEvent>> RecentAsync(int count);

    /// <summary>Sequence of the newest event (0 when none was ever logged).</summary>
    Task<long> GetLatestSequenceAsync();

    /// <summary>Removes the events of an erased identity (incarnation <paramref name="incarnation"/> or older); returns how many.</summary>
    Task<int> RemoveIdentityAsync(string identityId, long incarnation);

    /// <summary>Retention: removes events older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneOlderThanAsync(DateTimeOffset before);
}
