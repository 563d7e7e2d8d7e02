using Microsoft.AspNetCore.Http;

namespace VideoFace.Hosting.Api;

/// <summary>
/// The one Server-Sent Events writer of the API (identity events and alerts): headers, a ": connected" comment so a
/// client knows the stream is open, then "id / event / data" per item, flushed each time, until the client goes.
/// </summary>
public static class SseWriter
{
    /// <summary>Where a resuming client starts: Last-Event-ID, else ?after=, else null.</summary>
    public static long? ResumePoint(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"].ToString(), out var id) ? id
        : long.TryParse(request.Query["after"].ToString(), out var q) ? q
        : null;

    /// <summary>Streams <paramref name="items"/> as events until the request is aborted.</summary>
    public static async Task WriteAsync<T>(HttpResponse response, IAsyncEnumerable<T> items, Func<T, (long Id, string Event, string Data)> format,
        CancellationToken ct)
    {
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.WriteAsync(": connected\n\n", ct);
            await response.Body.FlushAsync(ct);
            await foreach (var item in items.WithCancellation(ct))
            {
                var (id, kind, data) = format(item);
                await response.WriteAsync($"id: {id}\nevent: {kind}\ndata: {data}\n\n", ct);
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
