using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VideoFace.Alerts.Tests;

/// <summary>A minimal Server-Sent Events reader for the tests: (id, JSON data) per event.</summary>
internal static class Sse
{
    public static async IAsyncEnumerable<(long Id, JsonElement Data)> ReadAsync(HttpClient http, string path, long? lastEventId,
        TaskCompletionSource? connected, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long? id = null;
        string? data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith(':')) connected?.TrySetResult();
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && data is not null)
            {
                using var doc = JsonDocument.Parse(data);
                yield return (id ?? throw new InvalidDataException("an SSE alert without an id"), doc.RootElement.Clone());
                (id, data) = (null, null);
            }
        }
    }
}
