using Microsoft.Extensions.Logging;

namespace VideoFace.Grains.Logs;

/// <summary>
/// A transactional outbox (no Orleans in it): its owner writes each item into its persisted list in the same state write
/// as the change that caused it, then <see cref="FlushAsync"/> publishes the list in order. What went out leaves the list
/// in memory at once and in storage at the next turn, right after the call (so a caller waits for one write, not two);
/// a crash in between sends those items again under the same ids at the next activation, and consumers drop the
/// copies. A failed publish keeps the rest for a retry in <see cref="Retry"/> (or at the next flush).
/// </summary>
/// <param name="pending">The persisted list, oldest first (read each time: the owner may replace its state).</param>
/// <param name="publish">Puts one item on its stream.</param>
/// <param name="save">Writes the owner's state (with the list).</param>
/// <param name="schedule">Has the owner call <see cref="TurnAsync"/> once after this delay (replacing any earlier one).</param>
/// <param name="owner">Names the owner in the log.</param>
public sealed class Outbox<T>(
    Func<List<T>> pending, Func<T, Task> publish, Func<Task> save, Action<TimeSpan> schedule, TimeSpan retry, ILogger logger, string owner)
{
    private bool _sentUnsaved; // items published and dropped from the list in memory, not yet in storage

    /// <summary>How soon items that could not be published, or a failed save of what was sent, are tried again.</summary>
    public TimeSpan Retry => retry;

    /// <summary>Publishes the list in order, up to the first failure; then schedules a turn (now, or a retry).</summary>
    public async Task FlushAsync()
    {
        var items = pending();
        if (items.Count == 0) return;
        int sent = 0;
        try
        {
            foreach (var item in items)
            {
                await publish(item);
                sent++;
            }
        }
        catch (Exception ex)
        {
            OutboxLog.PublishFailed(logger, ex, owner, items.Count - sent);
        }
        if (sent > 0)
        {
            items.RemoveRange(0, sent);
            _sentUnsaved = true;
        }
        schedule(items.Count > 0 ? retry : TimeSpan.Zero);
    }

    /// <summary>A scheduled turn: retries what is still in the list, or saves that the sent items left it.</summary>
    public Task TurnAsync() => pending().Count > 0 ? FlushAsync() : SaveSentAsync(retryOnFailure: true);

    /// <summary>Saves that sent items left the list, if any did (also on deactivation, then without a retry).</summary>
    public async Task SaveSentAsync(bool retryOnFailure)
    {
        if (!_sentUnsaved) return;
        _sentUnsaved = false;
        try
        {
            await save();
        }
        catch (Exception ex)
        {
            // harmless until it succeeds: at worst the next activation sends those items again
            _sentUnsaved = true;
            OutboxLog.SaveFailed(logger, ex, owner);
            if (retryOnFailure) schedule(retry);
        }
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Owner}: publishing its events failed; {Pending} are kept and retried")]
    public static partial void PublishFailed(ILogger logger, Exception ex, string owner, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Owner}: its published events could not be marked sent yet; retried")]
    public static partial void SaveFailed(ILogger logger, Exception ex, string owner);
}
