using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VideoFace.Cli;

/// <summary>Talks to a running VideoFace silo's HTTP API (`videoface up`, or a cluster's API host).</summary>
internal sealed class ServerClient : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static readonly Option<string?> Server = new("--server")
    {
        Description = $"VideoFace server URL (default $VIDEOFACE_SERVER or {DefaultUrl})",
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key of the server (default $VIDEOFACE_API_KEY, else the local embedded server's key from the data folder)",
        Recursive = true,
    };

    private readonly HttpClient _http;
    private readonly string? _apiKey;

    public ServerClient(string baseUrl, string? apiKey = null, TimeSpan? timeout = null, string? keySource = null)
    {
        BaseUrl = baseUrl.TrimEnd('/');
        _apiKey = apiKey;
        KeySource = keySource;
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = timeout ?? TimeSpan.FromMinutes(5) };
        if (apiKey is not null) _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    public string BaseUrl { get; }

    /// <summary>Where the key came from and where else the CLI looked (for a 401 and `videoface status`).</summary>
    public string? KeySource { get; }

    /// <summary>The server named by --server, else $VIDEOFACE_SERVER, else the default local one.</summary>
    public static string UrlOf(ParseResult pr) =>
        pr.GetValue(Server) ?? Environment.GetEnvironmentVariable("VIDEOFACE_SERVER") ?? DefaultUrl;

    /// <summary>True when the user named a server explicitly (flag or environment).</summary>
    public static bool Explicit(ParseResult pr) =>
        pr.GetValue(Server) is not null || Environment.GetEnvironmentVariable("VIDEOFACE_SERVER") is not null;

    public static ServerClient For(ParseResult pr)
    {
        var (key, source) = FindKey(pr);
        return new ServerClient(UrlOf(pr), key, keySource: source);
    }

    /// <summary>--api-key, else $VIDEOFACE_API_KEY, else the key the embedded server keeps in the data folder.</summary>
    public static string? KeyOf(ParseResult pr) => FindKey(pr).Key;

    /// <summary>The key and a sentence saying where it came from, or where the CLI looked when there is none.</summary>
    public static (string? Key, string Source) FindKey(ParseResult pr)
    {
        if (pr.GetValue(ApiKey) is { Length: > 0 } flag) return (flag, "--api-key");
        if (Environment.GetEnvironmentVariable("VIDEOFACE_API_KEY") is { Length: > 0 } env) return (env, "$VIDEOFACE_API_KEY");
        var file = Path.Combine(GlobalOptions.DataDirectory(pr), "api-key");
        return File.Exists(file)
            ? (File.ReadAllText(file).Trim(), $"api-key file {file}")
            : (null, $"no --api-key, no $VIDEOFACE_API_KEY, and no api-key file at {file}");
    }

    /// <summary>Whether a VideoFace server answers at the URL (short timeout).</summary>
    public async Task<bool> IsUpAsync(CancellationToken ct)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            using var r = await _http.GetAsync("health", cts.Token);
            return r.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<JsonElement> PutJsonAsync(string path, object body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) }, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), ct);

    /// <summary>
    /// POST /api/persons with the photos as a multipart form; <paramref name="force"/> enrols photos the server would refuse
    /// as not agreeing with the others (a 422 otherwise).
    /// </summary>
    public Task<JsonElement> EnrollAsync(string name, IEnumerable<string> photos, CancellationToken ct, bool force = false)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        if (force) form.Add(new StringContent("true"), "force");
        foreach (var p in photos)
        {
            var content = new ByteArrayContent(File.ReadAllBytes(p));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "photos", Path.GetFileName(p));
        }
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/persons") { Content = form }, ct);
    }

    /// <summary>POST /api/search with a photo and filters.</summary>
    public Task<JsonElement> SearchAsync(string photo, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(photo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent { { content, "photo", Path.GetFileName(photo) } };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/search") { Content = form }, ct);
    }

    /// <summary>Server-Sent Events as (id, event, data) until cancelled.</summary>
    public IAsyncEnumerable<(string? Id, string? Event, string Data)> StreamEventsAsync(string path, CancellationToken ct) =>
        StreamEventsAsync(path, null, ct);

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await Send(_http, request, HttpCompletionOption.ResponseContentRead, ct))
        {
            await EnsureOk(response, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private async Task<HttpResponseMessage> Send(HttpClient http, HttpRequestMessage request, HttpCompletionOption option, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, option, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new UserException($"cannot reach the VideoFace server at {BaseUrl} ({ex.Message}); start one with `videoface up` or pass --server URL");
        }
    }

    private async Task EnsureOk(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        string message = body;
        try
        {
            using var doc = JsonDocument.Parse(body);
            // a problem body (RFC 9457): its detail, else its title; older servers sent {"error": …}
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
                message = Text(root, "detail") ?? Text(root, "error") ?? Text(root, "title") ?? body;
        }
        catch (JsonException)
        {
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized) throw new UserException(Unauthorized(message));
        throw new UserException(response.StatusCode == HttpStatusCode.NotFound && message.Length == 0
            ? $"not found: {response.RequestMessage?.RequestUri}"
            : $"server: {(int)response.StatusCode} {message}");
    }

    /// <summary>A 401 explained: where the CLI looked for the key and the ways to give it the right one.</summary>
    private string Unauthorized(string serverMessage) =>
        $"server {BaseUrl}: 401 {serverMessage}\n" +
        $"  the CLI's key came from: {KeySource ?? "nowhere (none was given)"}\n" +
        "  give it the server's key: --api-key KEY, or export VIDEOFACE_API_KEY=KEY, or — for a `videoface up` on this machine — " +
        "point at its data folder: export VIDEOFACE_DATA=<the folder `up --data` used> (the key is its file 'api-key')";

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } t ? t : null;

    public void Dispose() => _http.Dispose();

    /// <summary>POST a JSON body; returns the JSON answer.</summary>
    public Task<JsonElement> PostJsonAsync(string path, object body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, ct);

    /// <summary>
    /// Server-Sent Events as (id, event, data) until the server ends the stream or <paramref name="ct"/> is cancelled,
    /// sending Last-Event-ID when <paramref name="lastEventId"/> is set (resume after a reconnect).
    /// </summary>
    public async IAsyncEnumerable<(string? Id, string? Event, string Data)> StreamEventsAsync(string path, string? lastEventId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        using var http = new HttpClient { BaseAddress = _http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (_apiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", _apiKey);
        using var response = await Send(http, request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureOk(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? id = null, ev = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0) yield return (id, ev, string.Join('\n', data));
                (id, ev) = (null, null);
                data.Clear();
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": ev = value; break;
                case "data": data.Add(value); break;
            }
        }
    }
}
