using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>
/// Fans the numbered identity events out to this host's HTTP subscribers. Sequences come from the persisted event log
/// grain, so a subscriber resuming after N (Last-Event-ID) reads what it missed from the log, on any API host and
/// after restarts, then follows live events; a gap in the live ones is filled from the log too (as <see cref="AlertHub"/>).
/// </summary>
public sealed partial class EventHub(IClusterClient client, ILogger<EventHub> logger) : IHostedService
{
    /// <summary>The most events one request reads (the log keeps this many).</summary>
    public const int Capacity = Grains.Events.EventLogGrain.Capacity;

    private const int Page = 500;
    private readonly List<Channel<LoggedIdentityEvent>> _subscribers = [];
    private readonly Lock _lock = new();
    private StreamSubscriptionHandle<LoggedIdentityEvent>? _handle;

    private IEventLogGrain Log => client.GetGrain<IEventLogGrain>(Names.AllEventsKey);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = client.GetStreamProvider(Names.StreamProvider)
            .GetStream<LoggedIdentityEvent>(StreamId.Create(Names.LoggedEventsNamespace, Names.AllEventsKey));
        _handle = await stream.SubscribeAsync((e, _) =>
        {
            lock (_lock) foreach (var s in _subscribers) s.Writer.TryWrite(e);
            return Task.CompletedTask;
        });
        try
        {
            // activates the log, and with it its implicit subscription, before the first event arrives
            await Log.GetLatestSequenceAsync();
        }
        catch (Exception ex)
        {
            LogWarmUpFailed(logger, ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_handle is not null) await _handle.UnsubscribeAsync();
        lock (_lock) foreach (var s in _subscribers) s.Writer.TryComplete();
    }

    /// <summary>Sequence of the newest logged event (where a subscriber without Last-Event-ID starts).</summary>
    public Task<long> LatestSequenceAsync() => Log.GetLatestSequenceAsync();

    /// <summary>The newest <paramref name="count"/> logged events, oldest first.</summary>
    public Task<IReadOnlyList<LoggedIdentityEvent>> RecentAsync(int count) => Log.RecentAsync(count);

    /// <summary>Events after <paramref name="afterSequence"/> still in the log, then live ones, in sequence order, until cancelled.</summary>
    public async IAsyncEnumerable<LoggedIdentityEvent> SubscribeAsync(long afterSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<LoggedIdentityEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock) _subscribers.Add(channel); // before reading the log, so nothing falls between the two
        try
        {
            long last = afterSequence;
            await foreach (var e in ReadLogAsync(last, long.MaxValue, ct))
            {
                last = e.Sequence;
                yield return e;
            }
            await foreach (var live in channel.Reader.ReadAllAsync(ct))
            {
                if (live.Sequence <= last) continue;
                if (live.Sequence > last + 1)
                {
                    // missed live ones (a full channel, a stream hiccup) or removed ones (erased): the log knows which
                    await foreach (var e in ReadLogAsync(last, live.Sequence, ct))
                    {
                        last = e.Sequence;
                        yield return e;
                    }
                }
                last = live.Sequence;
                yield return live;
            }
        }
        finally
        {
            lock (_lock) _subscribers.Remove(channel);
        }
    }

    /// <summary>Logged events with after &lt; sequence &lt; before, in pages.</summary>
    private async IAsyncEnumerable<LoggedIdentityEvent> ReadLogAsync(long after, long before, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = await Log.ReadAsync(after, Page);
            foreach (var e in page)
            {
                if (e.Sequence >= before) yield break;
                after = e.Sequence;
                yield return e;
            }
            if (page.Count < Page) yield break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event log could not be reached at start; it is activated on first use")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception ex);
}
