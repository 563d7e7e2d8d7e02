using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VideoFace.Hosting.Api;

/// <summary>
/// One subscriber's view of a numbered, persisted log (identity events, alerts) fed by a stream: what the log holds
/// after the resume point, then live items in sequence order, each sequence once. Streams deliver at least once and
/// may lose what a dying silo had not published yet, so a live item at or below the last one sent is dropped (a
/// redelivery), a gap before a live item is filled from the log, and after <see cref="CatchUpInterval"/> without live
/// items the log is read as well: an item logged but never published still arrives.
/// </summary>
public static class SequencedFeed
{
    /// <summary>Quiet time after which a subscriber looks in the log for items the stream did not bring.</summary>
    public static readonly TimeSpan CatchUpInterval = TimeSpan.FromSeconds(5);

    private const int Page = 500;

    /// <summary>Logged items after <paramref name="after"/>, then live ones from <paramref name="live"/>, until cancelled or completed.</summary>
    /// <param name="live">This subscriber's copy of the live stream.</param>
    /// <param name="after">The resume point: the last sequence the subscriber has.</param>
    /// <param name="read">Reads up to <c>max</c> logged items with a sequence above <c>after</c>, ascending.</param>
    /// <param name="sequence">An item's sequence in the log.</param>
    /// <param name="ct">Ends the feed.</param>
    public static async IAsyncEnumerable<T> FollowAsync<T>(ChannelReader<T> live, long after, Func<long, int, Task<IReadOnlyList<T>>> read,
        Func<T, long> sequence, [EnumeratorCancellation] CancellationToken ct)
    {
        long last = after;
        await foreach (var item in ReadLogAsync(read, sequence, last, long.MaxValue, ct))
        {
            last = sequence(item);
            yield return item;
        }
        while (true)
        {
            var ready = await WaitAsync(live, ct);
            if (ready is null) yield break;
            if (ready == false)
            {
                // quiet: whatever was logged but not (yet) published
                await foreach (var item in ReadLogAsync(read, sequence, last, long.MaxValue, ct))
                {
                    last = sequence(item);
                    yield return item;
                }
                continue;
            }
            while (live.TryRead(out var item))
            {
                long s = sequence(item);
                if (s <= last) continue; // already sent: a redelivery, or read from the log first
                if (s > last + 1)
                {
                    // missed live ones (a full channel, a silo lost before it published) or removed ones (erased): the log knows which
                    await foreach (var e in ReadLogAsync(read, sequence, last, s, ct))
                    {
                        last = sequence(e);
                        yield return e;
                    }
                }
                last = s;
                yield return item;
            }
        }
    }

    /// <summary>true: live items are ready; false: none came within <see cref="CatchUpInterval"/>; null: the live stream completed.</summary>
    private static async Task<bool?> WaitAsync<T>(ChannelReader<T> live, CancellationToken ct)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(CatchUpInterval);
        try
        {
            return await live.WaitToReadAsync(quiet.Token) ? true : null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Logged items with after &lt; sequence &lt; before, in pages.</summary>
    private static async IAsyncEnumerable<T> ReadLogAsync<T>(Func<long, int, Task<IReadOnlyList<T>>> read, Func<T, long> sequence, long after,
        long before, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = await read(after, Page);
            foreach (var item in page)
            {
                if (sequence(item) >= before) yield break;
                after = sequence(item);
                yield return item;
            }
            if (page.Count < Page) yield break;
        }
    }
}
