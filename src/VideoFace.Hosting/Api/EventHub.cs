using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Orleans.Streams;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>An identity event with its position in this host's event log (the SSE event id).</summary>
public sealed record SequencedEvent(long Sequence, IdentityEvent Event);

/// <summary>
/// Subscribes once to the identity-events stream and fans events out to HTTP subscribers, keeping the last
/// <see cref="Capacity"/> so a subscriber that reconnects with Last-Event-ID misses nothing still kept.
/// </summary>
public sealed class EventHub(IClusterClient client) : IHostedService
{
    public const int Capacity = 10_000;

    private readonly LinkedList<SequencedEvent> _log = new();
    private readonly List<Channel<SequencedEvent>> _subscribers = [];
    private readonly Lock _lock = new();
    private long _sequence;
    private StreamSubscriptionHandle<IdentityEvent>? _handle;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = client.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        _handle = await stream.SubscribeAsync((e, _) => { Publish(e); return Task.CompletedTask; });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_handle is not null) await _handle.UnsubscribeAsync();
        lock (_lock) foreach (var s in _subscribers) s.Writer.TryComplete();
    }

    /// <summary>Events after <paramref name="afterSequence"/> still in the log, then live ones, until cancelled.</summary>
    public async IAsyncEnumerable<SequencedEvent> SubscribeAsync(long afterSequence, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<SequencedEvent>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest });
        List<SequencedEvent> backlog;
        lock (_lock)
        {
            backlog = _log.Where(e => e.Sequence > afterSequence).ToList();
            _subscribers.Add(channel);
        }
        try
        {
            long last = afterSequence;
            foreach (var e in backlog)
            {
                last = e.Sequence;
                yield return e;
            }
            await foreach (var e in channel.Reader.ReadAllAsync(ct))
            {
                if (e.Sequence <= last) continue;
                last = e.Sequence;
                yield return e;
            }
        }
        finally
        {
            lock (_lock) _subscribers.Remove(channel);
        }
    }

    /// <summary>The most recent events, newest last.</summary>
    public IReadOnlyList<SequencedEvent> Recent(int count)
    {
        lock (_lock) return _log.Skip(Math.Max(0, _log.Count - count)).ToList();
    }

    private void Publish(IdentityEvent e)
    {
        lock (_lock)
        {
            var item = new SequencedEvent(++_sequence, e);
            _log.AddLast(item);
            if (_log.Count > Capacity) _log.RemoveFirst();
            foreach (var s in _subscribers) s.Writer.TryWrite(item);
        }
    }
}
