using System.Text.Json;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>
/// Keeps one Server-Sent Events connection open in the background and records every event (id and JSON data) until
/// disposed. It never reconnects: a feed that ends early is reported by <see cref="ThrowIfEnded"/>.
/// </summary>
public sealed class SseRecorder : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long Id, JsonElement Data)> _items = [];
    private readonly Lock _lock = new();
    private readonly Task _reading;

    /// <summary>Opens <paramref name="path"/> on <paramref name="api"/>, resuming after <paramref name="lastEventId"/>.</summary>
    public SseRecorder(Api api, string path, long lastEventId)
    {
        Path = path;
        _reading = Task.Run(async () =>
        {
            await foreach (var e in api.ServerSentEventsAsync(path, lastEventId, _stop.Token))
                lock (_lock) _items.Add(e);
        });
    }

    public string Path { get; }

    /// <summary>The events received so far, in arrival order.</summary>
    public IReadOnlyList<(long Id, JsonElement Data)> Items
    {
        get
        {
            lock (_lock) return _items.ToList();
        }
    }

    /// <summary>Fails when the connection ended (or never opened) while it should still be open.</summary>
    public void ThrowIfEnded()
    {
        if (_reading.IsCompleted) throw new Xunit.Sdk.XunitException($"the feed {Path} ended: {_reading.Exception?.GetBaseException().Message ?? "closed by the server"}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
        }
        _stop.Dispose();
    }
}
