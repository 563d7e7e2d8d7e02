using Azure;
using Azure.Storage.Queues;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>
/// Makes a queue's at-least-once delivery happen on purpose: peeks the given Azure queues and sends every message it
/// sees there once more, body unchanged — what the service does when a message outlives its visibility timeout (a
/// silo lost before it deleted what it had read). Consumers must drop the copies.
/// </summary>
public sealed class QueueDuplicator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _copied = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _count;
    private int _disposed;

    public QueueDuplicator(string connectionString, IEnumerable<string> queueNames, TimeSpan interval)
    {
        var service = new QueueServiceClient(connectionString);
        var queues = queueNames.Select(service.GetQueueClient).ToList();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var queue in queues) await CopyAsync(queue);
                await Task.Delay(interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    /// <summary>Messages sent a second time so far.</summary>
    public int Copied => Volatile.Read(ref _count);

    private async Task CopyAsync(QueueClient queue)
    {
        try
        {
            foreach (var m in (await queue.PeekMessagesAsync(32, _stop.Token)).Value)
            {
                var body = m.Body.ToString();
                if (!_copied.Add(body)) continue; // one copy per message, and none of a copy
                await queue.SendMessageAsync(body, _stop.Token);
                Interlocked.Increment(ref _count);
            }
        }
        catch (RequestFailedException)
        {
            // not created yet (the stream provider creates its queues at start), or the emulator busy: next round
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops copying (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
