using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>
/// A subscriber of the embedded host's HTTP API, as a client outside the silo sees it: alert rules made with
/// POST /api/alerts/rules, alerts read from GET /api/alerts/stream (Server-Sent Events) with the host's local API key
/// (DATA/api-key). Every alert's <c>track_id</c> is kept with the time its <c>data:</c> line was read.
/// </summary>
internal sealed class AlertStream : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reader;

    private AlertStream(HttpClient http) => _http = http;

    /// <summary>First alert received per track id: when, and the alert's event and rule.</summary>
    public ConcurrentDictionary<string, (DateTimeOffset At, string Event, string RuleId)> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>All alerts received (a track alerted twice counts twice).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Alert events whose data line could not be read as an alert.</summary>
    public int Malformed => Volatile.Read(ref _malformed);

    public IReadOnlyList<string> RuleIds { get; private set; } = [];

    public Uri BaseAddress => _http.BaseAddress!;

    private int _count, _malformed;

    /// <summary>Connects to the silo's HTTP API (VideoFace:HttpPort, key from its data folder).</summary>
    public static AlertStream Connect(EmbeddedSilo silo)
    {
        var port = silo.Settings["VideoFace:HttpPort"] ?? throw new InvalidOperationException("the embedded silo has no HTTP port");
        var key = File.ReadAllText(Path.Combine(silo.Settings["VideoFace:DataDirectory"]!, "api-key")).Trim();
        // no pooled-connection lifetime tricks: one long-lived SSE connection and a few short requests on loopback
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return new AlertStream(http);
    }

    /// <summary>Adds one rule per kind (no camera or time restriction, no cooldown: every confirmed track alerts once).</summary>
    public async Task CreateRulesAsync(params string[] kinds)
    {
        var ids = new List<string>();
        foreach (var kind in kinds)
        {
            using var response = await _http.PostAsJsonAsync("/api/alerts/rules", new Dictionary<string, object?>
            {
                ["kind"] = kind,
                ["name"] = $"bench: {kind}",
                ["cooldown_seconds"] = 0,
            });
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"POST /api/alerts/rules ({kind}) → {(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            ids.Add(json.RootElement.GetProperty("id").GetString()!);
        }
        RuleIds = ids;
    }

    /// <summary>Opens the SSE stream and returns once the server's ": connected" comment has arrived (so no alert is missed).</summary>
    public async Task SubscribeAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET /api/alerts/stream → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token), Encoding.UTF8);
        var first = await reader.ReadLineAsync(_stop.Token);
        if (first is null || !first.StartsWith(':')) throw new InvalidOperationException($"unexpected first SSE line '{first}'");
        _reader = Task.Run(() => ReadAsync(response, reader));
    }

    private async Task ReadAsync(HttpResponseMessage response, StreamReader reader)
    {
        using (response)
        using (reader)
        {
            try
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    // one alert is "id: …", "event: alert", "data: {json}" and a blank line; the data line is the one that counts
                    if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                    var at = DateTimeOffset.UtcNow;
                    Interlocked.Increment(ref _count);
                    try
                    {
                        using var json = JsonDocument.Parse(line.AsMemory(5));
                        var root = json.RootElement;
                        var track = root.GetProperty("track_id").GetString();
                        if (track is null) { Interlocked.Increment(ref _malformed); continue; }
                        Received.TryAdd(track, (at, root.GetProperty("event").GetString() ?? "", root.GetProperty("rule_id").GetString() ?? ""));
                    }
                    catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        Interlocked.Increment(ref _malformed);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
            }
        }
    }

    /// <summary>Removes the rules again, so they do not outlive the measurement in this silo.</summary>
    public async Task RemoveRulesAsync()
    {
        foreach (var id in RuleIds)
        {
            using var _ = await _http.DeleteAsync($"/api/alerts/rules/{id}");
        }
        RuleIds = [];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null) await _reader;
        _http.Dispose();
        _stop.Dispose();
    }
}
