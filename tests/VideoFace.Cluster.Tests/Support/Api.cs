using System.Net.Http.Json;
using System.Text.Json;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>Small HTTP API client for tests (snake_case JSON as the API writes it).</summary>
public sealed class Api : IDisposable
{
    private readonly Uri baseAddress;
    private readonly HttpClient _http;

    /// <summary>A client sending <paramref name="apiKey"/> as X-Api-Key on every request.</summary>
    public Api(Uri baseAddress, string? apiKey)
    {
        this.baseAddress = baseAddress;
        _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null) _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    public Uri BaseAddress => baseAddress;

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return await ReadAsync(response, path);
    }

    public async Task<JsonElement> PutCameraAsync(string id, string url, double fps)
    {
        using var response = await _http.PutAsJsonAsync($"/api/cameras/{id}", new { url, fps });
        return await ReadAsync(response, $"PUT /api/cameras/{id}");
    }

    /// <summary>POST /api/persons with the name and photo files; returns the new person's id.</summary>
    public async Task<string> EnrollAsync(string name, params string[] photos)
    {
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        foreach (var photo in photos)
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(photo)), "files", Path.GetFileName(photo));
        using var response = await _http.PostAsync("/api/persons", form);
        return (await ReadAsync(response, "POST /api/persons")).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// POST /api/persons with force=true: photos that are labelled (a test set's) are enrolled even where the outlier check
    /// would refuse one. Returns the new person's id.
    /// </summary>
    public async Task<string> EnrollForcedAsync(string name, params string[] photos)
    {
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" }, { new StringContent("true"), "force" } };
        foreach (var photo in photos)
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(photo)), "files", Path.GetFileName(photo));
        using var response = await _http.PostAsync("/api/persons", form);
        return (await ReadAsync(response, "POST /api/persons")).GetProperty("id").GetString()!;
    }

    /// <summary>Track ids of an identity's history (GET /api/persons/{id}).</summary>
    public async Task<IReadOnlyList<string>> HistoryTrackIdsAsync(string personId) =>
        (await GetAsync($"/api/persons/{personId}")).GetProperty("history").EnumerateArray()
            .Select(h => h.GetProperty("track_id").GetString()!).ToList();

    /// <summary>GET /api/cameras as camera id → JSON object.</summary>
    public async Task<Dictionary<string, JsonElement>> CamerasAsync() =>
        (await GetAsync("/api/cameras")).EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c);

    /// <summary>POST a JSON body; returns the answer's JSON.</summary>
    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        return await ReadAsync(response, $"POST {path}");
    }

    /// <summary>DELETE; returns the answer's JSON.</summary>
    public async Task<JsonElement> DeleteAsync(string path)
    {
        using var response = await _http.DeleteAsync(path);
        return await ReadAsync(response, $"DELETE {path}");
    }

    /// <summary>DELETE expecting no content (204), e.g. removing a camera.</summary>
    public async Task DeleteNoContentAsync(string path)
    {
        using var response = await _http.DeleteAsync(path);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"DELETE {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The status code of a GET (for what should be gone: 404).</summary>
    public async Task<int> StatusAsync(string pathOrUrl)
    {
        using var response = await _http.GetAsync(pathOrUrl);
        return (int)response.StatusCode;
    }

    /// <summary>POST /api/search with a photo (multipart field 'photo').</summary>
    public async Task<JsonElement> SearchByPhotoAsync(string photo)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(photo)), "photo", Path.GetFileName(photo) } };
        using var response = await _http.PostAsync("/api/search", form);
        return await ReadAsync(response, "POST /api/search");
    }

    /// <summary>
    /// GET /api/events as Server-Sent Events, sending Last-Event-ID when given: (id, data) per event until
    /// <paramref name="ct"/> is cancelled or the server ends the stream.
    /// </summary>
    public IAsyncEnumerable<(long Id, JsonElement Data)> EventStreamAsync(long? lastEventId, CancellationToken ct) =>
        ServerSentEventsAsync("/api/events", lastEventId, ct);

    /// <summary>
    /// GET <paramref name="path"/> as Server-Sent Events (/api/events, /api/alerts/stream), sending Last-Event-ID when
    /// given: (id, data) per event until <paramref name="ct"/> is cancelled or the server ends the stream.
    /// </summary>
    public async IAsyncEnumerable<(long Id, JsonElement Data)> ServerSentEventsAsync(string path, long? lastEventId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is { } last) request.Headers.TryAddWithoutValidation("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        foreach (var h in _http.DefaultRequestHeaders) http.DefaultRequestHeaders.TryAddWithoutValidation(h.Key, h.Value);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long? id = null;
        string? data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (id is { } i && data is not null)
                {
                    using var doc = JsonDocument.Parse(data);
                    yield return (i, doc.RootElement.Clone());
                }
                (id, data) = (null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{what}: {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
