using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>
/// Fans the alerts stream out to this host's HTTP subscribers. Sequences come from the persisted alert log grain, so a
/// subscriber resuming after N (Last-Event-ID) reads what it missed from the log, on any API host and after restarts,
/// then follows live alerts, each sequence once (<see cref="SequencedFeed"/>).
/// </summary>
public sealed partial class AlertHub(IClusterClient client, ILogger<AlertHub> logger) : IHostedService
{
    private readonly List<Channel<Alert>> _subscribers = [];
    private readonly Lock _lock = new();
    private StreamSubscriptionHandle<Alert>? _handle;

    private IAlertLogGrain Log => client.GetGrain<IAlertLogGrain>(AlertNames.Default);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = client.GetStreamProvider(Names.StreamProvider).GetStream<Alert>(StreamId.Create(AlertNames.AlertsNamespace, AlertNames.AllAlertsKey));
        _handle = await stream.SubscribeAsync((a, _) =>
        {
            lock (_lock) foreach (var s in _subscribers) s.Writer.TryWrite(a);
            return Task.CompletedTask;
        });
        try
        {
            // activates the log, which re-sends webhooks left pending by a previous run
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

    /// <summary>Sequence of the newest logged alert (where a subscriber without Last-Event-ID starts).</summary>
    public Task<long> LatestSequenceAsync() => Log.GetLatestSequenceAsync();

    /// <summary>Alerts after <paramref name="afterSequence"/> still in the log, then live ones, in sequence order, until cancelled.</summary>
    public async IAsyncEnumerable<Alert> SubscribeAsync(long afterSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Alert>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock) _subscribers.Add(channel); // before reading the log, so nothing falls between the two
        try
        {
            await foreach (var item in SequencedFeed.FollowAsync(channel.Reader, afterSequence, Log.ReadAsync, a => a.Sequence, ct)) yield return item;
        }
        finally
        {
            lock (_lock) _subscribers.Remove(channel);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The alert log could not be reached at start; it is activated on first use")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception ex);
}
