using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;

namespace VideoFace.Grains.Alerts;

/// <summary>
/// Runs webhook deliveries off the grain (a slow receiver never blocks the alert log), a bounded number at a time,
/// and tells the log when each is finished; one still running at shutdown stays pending and is re-sent after restart.
/// </summary>
public sealed partial class AlertWebhookDispatcher(
    AlertWebhookSender sender,
    IGrainFactory grains,
    IOptions<AlertOptions> options,
    ILogger<AlertWebhookDispatcher> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.WebhookConcurrency);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();

    /// <summary>Starts delivering (returns at once); the same sequence already in flight is not sent twice.</summary>
    public void Enqueue(Alert alert, AlertWebhook webhook)
    {
        if (_stopping.IsCancellationRequested) return;
        var gate = new TaskCompletionSource();
        if (!_inFlight.TryAdd(alert.Sequence, gate.Task)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(alert, webhook);
            }
            finally
            {
                _inFlight.TryRemove(alert.Sequence, out _);
                gate.TrySetResult();
            }
        });
    }

    private async Task DeliverAsync(Alert alert, AlertWebhook webhook)
    {
        var ct = _stopping.Token;
        try
        {
            await _slots.WaitAsync(ct);
            try
            {
                await sender.SendAsync(alert, webhook, ct);
            }
            finally
            {
                _slots.Release();
            }
            await grains.GetGrain<IAlertLogGrain>(AlertNames.Default).WebhookDoneAsync(alert.Sequence);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogDispatchFailed(logger, ex, alert.AlertId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_inFlight.Values);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery of alert {AlertId} failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception ex, string alertId);
}
