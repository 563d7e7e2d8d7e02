using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// The retained, persisted alert log (key: <see cref="AlertNames.Default"/>): gives each alert the next sequence number,
/// publishes it on the alerts stream and hands it to webhook delivery.
/// </summary>
public interface IAlertLogGrain : IGrainWithStringKey
{
    /// <summary>Logs new alerts (an alert id already logged is skipped); returns them with their sequence numbers.</summary>
    Task<IReadOnlyList<Alert>> AppendAsync(IReadOnlyList<Alert> alerts);

    /// <summary>Logged alerts with a sequence above <paramref name="afterSequence"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Alert>> ReadAsync(long afterSequence, int max);

    /// <summary>The newest <paramref name="count"/> alerts, oldest first.</summary>
    Task<IReadOnlyList<Alert>> RecentAsync(int count);

    /// <summary>Sequence of the newest alert (0 when none was ever logged).</summary>
    Task<long> GetLatestSequenceAsync();

    /// <summary>
    /// Removes the alerts of an erased identity (incarnation <paramref name="incarnation"/> or older) and refuses later
    /// ones of it; returns how many were removed. Sequences are not reused.
    /// </summary>
    Task<int> RemoveIdentityAsync(string identityId, long incarnation);

    /// <summary>Retention: removes alerts older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneOlderThanAsync(DateTimeOffset before);

    /// <summary>Webhook delivery of the alert finished (delivered or given up): it is not retried after a restart.</summary>
    Task WebhookDoneAsync(long sequence);
}
