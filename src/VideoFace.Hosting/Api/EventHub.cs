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
/// after restarts, then follows live events, each sequence once (<see cref="SequencedFeed"/>: redeliveries dropped, gaps
/// and unpublished events read from the log).
/// </summary>
public sealed partial class EventHub(IClusterClient client, ILogger<EventHub> logger) : IHostedService
{
    /// <summary>The most events one request reads (the log keeps this many).</summary>
    public const int Capacity = Grains.Events.EventLogGrain.Capacity;

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
            await foreach (var item in SequencedFeed.FollowAsync(channel.Reader, afterSequence, Log.ReadAsync, e => e.Sequence, ct)) yield return item;
        }
        finally
        {
            lock (_lock) _subscribers.Remove(channel);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event log could not be reached at start; it is activated on first use")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception ex);
}
