using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Alerts.Tests;

/// <summary>
/// The embedded web host as `videoface up` runs it, a real RTSP camera C1 looping a video of Tony Blair then a stranger
/// (Jennifer Aniston, not enrolled), Tony enrolled from two other photos, three rules — Tony anywhere (webhook to an
/// in-test receiver), unknown on C2 only, and, as a control, unknown anywhere — and an SSE subscriber opened first.
/// </summary>
public sealed class AlertsEndToEndFixture : IAsyncLifetime
{
    public const string Camera = "C1";
    public const string Secret = "test-webhook-secret";
    public const string PersonRule = "tony-anywhere";
    public const string UnknownOnC2Rule = "unknown-on-c2";
    public const string UnknownAnywhereRule = "unknown-anywhere";

    private readonly CancellationTokenSource _stop = new();
    private RtspServer? _rtsp;
    private WebApplication? _receiver;
    private Task? _sse;

    public string Folder { get; } = TestVideos.TempFolder("alerts-e2e");

    public WebApplication? Host { get; private set; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public string ApiKey { get; private set; } = "";

    public int HttpPort { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public string TonyId { get; private set; } = "";

    /// <summary>Alerts received by the SSE subscriber opened before the camera.</summary>
    public ConcurrentQueue<(long Id, JsonElement Alert)> SseAlerts { get; } = new();

    /// <summary>Webhook POSTs received: body bytes and the signature and delivery headers.</summary>
    public ConcurrentQueue<(byte[] Body, string? Signature, string? Delivery)> Webhooks { get; } = new();

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        StartedAt = DateTimeOffset.UtcNow;
        var video = await FaceVideo.CreateAsync(Path.Combine(Folder, "people.mp4"), [TestData.Face("Tony_Blair", 2), TestData.Face("Jennifer_Aniston", 1)]);
        _rtsp = new RtspServer(video);
        await _rtsp.StartAsync();

        var ports = Ports.Free(4);
        HttpPort = ports[2];
        await StartReceiverAsync(ports[3]);

        Host = VideoFaceHost.Build([], TestSecurity.Allow(new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(Folder, "data"),
            ["VideoFace:SiloName"] = "embedded",
            ["VideoFace:Devices"] = "cpu",
            ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Vision:ModelsDirectory"] = TestData.Models,
            // tracks end in the 2.5 s grey gaps, so each appearance is its own track
            ["Tracking:MaxAge"] = "00:00:01.500",
            ["Alerts:WebhookFirstRetryDelay"] = "00:00:00.200",
        }), builder => builder.Logging.ClearProviders());
        await Host.StartAsync();
        ApiKey = File.ReadAllText(Path.Combine(Folder, "data", "api-key")).Trim();
        Http.BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}");
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        TonyId = (await PostPhotosAsync("/api/persons", "files", TestData.Face("Tony_Blair", 6), TestData.Face("Tony_Blair", 94), ("name", "Tony Blair")))
            .GetProperty("id").GetString()!;
        await AddRuleAsync(new
        {
            id = PersonRule, person = "Tony Blair", cooldown_seconds = 0,
            webhook_url = $"http://127.0.0.1:{ports[3]}/hook", webhook_secret = Secret,
        });
        await AddRuleAsync(new { id = UnknownOnC2Rule, kind = "unknown", cameras = new[] { "C2" } });
        await AddRuleAsync(new { id = UnknownAnywhereRule, kind = "unknown" });

        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sse = Task.Run(async () =>
        {
            try
            {
                await foreach (var a in Sse.ReadAsync(Http, "/api/alerts/stream", null, connected, _stop.Token)) SseAlerts.Enqueue(a);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                connected.TrySetException(ex);
            }
        });
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var camera = await Http.PutAsJsonAsync($"/api/cameras/{Camera}", new { url = _rtsp.Url.ToString(), fps = 4 });
        camera.EnsureSuccessStatusCode();
    }

    /// <summary>A minimal Kestrel app on loopback that records webhook POSTs.</summary>
    private async Task StartReceiverAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            using var ms = new MemoryStream();
            await request.Body.CopyToAsync(ms);
            Webhooks.Enqueue((ms.ToArray(), request.Headers[WebhookSignature.Header].ToString(), request.Headers[WebhookSignature.DeliveryHeader].ToString()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var r = await Http.GetAsync(path);
        return await ReadAsync(r, path);
    }

    public async Task<JsonElement> PostPhotosAsync(string path, string field, string photo1, string? photo2 = null, (string Name, string Value)? text = null)
    {
        using var form = new MultipartFormDataContent();
        if (text is { } t) form.Add(new StringContent(t.Value), t.Name);
        foreach (var p in new[] { photo1, photo2 }.OfType<string>())
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(p)), field, Path.GetFileName(p));
        using var r = await Http.PostAsync(path, form);
        return await ReadAsync(r, path);
    }

    private async Task AddRuleAsync(object rule)
    {
        using var r = await Http.PostAsJsonAsync("/api/alerts/rules", rule);
        await ReadAsync(r, "POST /api/alerts/rules");
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage r, string what)
    {
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new HttpRequestException($"{what}: {(int)r.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_sse is not null) await _sse.WaitAsync(TimeSpan.FromSeconds(10));
            if (Host is not null)
            {
                await Host.StopAsync();
                await Host.DisposeAsync();
            }
        }
        finally
        {
            if (_receiver is not null) await _receiver.DisposeAsync();
            if (_rtsp is not null) await _rtsp.DisposeAsync();
            Http.Dispose();
            try { Directory.Delete(Folder, recursive: true); }
            catch (IOException) { }
        }
    }
}

[Collection(EmbeddedHostCollection.Name)]
public sealed class AlertsEndToEndTests(AlertsEndToEndFixture fx)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PersonRule_EnrolledPersonOnC1_AlertArrivesOverSseAndSignedWebhook()
    {
        await Poll.UntilAsync(() => fx.SseAlerts.Any(a => Rule(a.Alert) == AlertsEndToEndFixture.PersonRule), Deadline,
            $"an SSE alert for Tony Blair (so far: {Describe(fx.SseAlerts)})", TimeSpan.FromMilliseconds(100));
        var (id, alert) = fx.SseAlerts.First(a => Rule(a.Alert) == AlertsEndToEndFixture.PersonRule);
        Assert.Equal(id, alert.GetProperty("seq").GetInt64());
        Assert.Equal(AlertsEndToEndFixture.Camera, alert.GetProperty("camera").GetString());
        Assert.Equal(fx.TonyId, alert.GetProperty("identity_id").GetString());
        Assert.Equal("Tony Blair", alert.GetProperty("identity_name").GetString());
        Assert.False(string.IsNullOrEmpty(alert.GetProperty("track_id").GetString()));
        Assert.InRange(alert.GetProperty("time").GetDateTimeOffset(), fx.StartedAt, DateTimeOffset.UtcNow);
        Assert.StartsWith("/api/blobs/", alert.GetProperty("thumbnail_url").GetString());

        var alertId = alert.GetProperty("alert_id").GetString()!;
        await Poll.UntilAsync(() => fx.Webhooks.Any(w => w.Delivery == alertId), TimeSpan.FromSeconds(20),
            $"the webhook receiver got alert {alertId}", TimeSpan.FromMilliseconds(100));
        var hook = fx.Webhooks.First(w => w.Delivery == alertId);
        Assert.True(WebhookSignature.Verify(AlertsEndToEndFixture.Secret, hook.Body, hook.Signature), $"valid signature '{hook.Signature}'");
        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal(alertId, body.RootElement.GetProperty("alert_id").GetString());
        Assert.Equal(AlertsEndToEndFixture.PersonRule, body.RootElement.GetProperty("rule_id").GetString());
        Assert.Equal(fx.TonyId, body.RootElement.GetProperty("identity_id").GetString());
        // only the rule with a webhook posts
        Assert.All(fx.Webhooks, w => Assert.Contains(AlertsEndToEndFixture.PersonRule, Encoding.UTF8.GetString(w.Body)));
    }

    [Fact]
    public async Task UnknownRuleForC2Only_StrangerOnC1_RaisesNoAlert()
    {
        // the control rule (unknown anywhere) proves the stranger's event was evaluated, with every rule, at that moment
        await Poll.UntilAsync(() => fx.SseAlerts.Any(a => Rule(a.Alert) == AlertsEndToEndFixture.UnknownAnywhereRule), Deadline,
            $"the stranger raised the control alert (so far: {Describe(fx.SseAlerts)})", TimeSpan.FromMilliseconds(100));
        var control = fx.SseAlerts.First(a => Rule(a.Alert) == AlertsEndToEndFixture.UnknownAnywhereRule).Alert;
        Assert.Equal(AlertsEndToEndFixture.Camera, control.GetProperty("camera").GetString());
        Assert.Equal(JsonValueKind.Null, control.GetProperty("identity_name").ValueKind);
        Assert.StartsWith("u-", control.GetProperty("identity_id").GetString());

        var logged = (await fx.GetAsync("/api/alerts/recent?count=1000")).EnumerateArray().ToList();
        Assert.Contains(logged, a => Rule(a) == AlertsEndToEndFixture.UnknownAnywhereRule);
        Assert.DoesNotContain(logged, a => Rule(a) == AlertsEndToEndFixture.UnknownOnC2Rule);
        Assert.DoesNotContain(fx.SseAlerts, a => Rule(a.Alert) == AlertsEndToEndFixture.UnknownOnC2Rule);
    }

    [Fact]
    public async Task Sse_DisconnectedThenResumedWithLastEventId_MissesNothing()
    {
        long seen;
        using (var cts = new CancellationTokenSource(Deadline))
        {
            // a new subscriber without Last-Event-ID starts at the newest alert; take the first one it gets, then hang up
            await using var e = Sse.ReadAsync(fx.Http, "/api/alerts/stream", null, null, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await e.MoveNextAsync());
            seen = e.Current.Id;
        }

        // alerts keep coming while nobody listens
        await Poll.UntilAsync(() => Sequences(fx.GetAsync("/api/alerts/recent?count=1000").GetAwaiter().GetResult()).Any(s => s > seen), Deadline,
            $"an alert after {seen} is logged", TimeSpan.FromMilliseconds(200));
        var missed = Sequences(await fx.GetAsync("/api/alerts/recent?count=1000")).Where(s => s > seen).ToList();

        var resumed = new List<long>();
        using (var cts = new CancellationTokenSource(Deadline))
        {
            await foreach (var (id, alert) in Sse.ReadAsync(fx.Http, "/api/alerts/stream", seen, null, cts.Token))
            {
                Assert.Equal(id, alert.GetProperty("seq").GetInt64());
                resumed.Add(id);
                if (id >= missed.Max()) break;
            }
        }
        Assert.Equal(missed, resumed.Take(missed.Count));
        Assert.Equal(Enumerable.Range((int)seen + 1, resumed.Count).Select(i => (long)i), resumed); // contiguous: nothing skipped
    }

    [Fact]
    public async Task WebSocket_AfterZero_ReplaysTheLogFromTheFirstAlert()
    {
        await Poll.UntilAsync(() => !fx.SseAlerts.IsEmpty, Deadline, "a first alert", TimeSpan.FromMilliseconds(100));
        using var ws = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{fx.HttpPort}/api/alerts/ws?after=0&api_key={fx.ApiKey}"), cts.Token);
        var buffer = new byte[64 * 1024];
        var r = await ws.ReceiveAsync(buffer, cts.Token);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
        Assert.Equal(1, doc.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(fx.SseAlerts.First().Alert.GetProperty("alert_id").GetString(), doc.RootElement.GetProperty("alert_id").GetString());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    [Fact]
    public async Task Search_AnotherPhotoOfThePerson_FindsSightingsOnC1WithinTheTestWindow()
    {
        var photo = TestData.Face("Tony_Blair", 1); // neither in the video nor enrolled
        List<JsonElement> hits = [];
        await Poll.UntilAsync(() =>
        {
            hits = fx.PostPhotosAsync("/api/search", "photo", photo).GetAwaiter().GetResult().GetProperty("hits").EnumerateArray().ToList();
            return hits.Any(h => h.GetProperty("identity_id").GetString() == fx.TonyId);
        }, Deadline, "a search with another photo of Tony Blair finds his sightings", TimeSpan.FromMilliseconds(500));

        var tony = hits.Where(h => h.GetProperty("identity_id").GetString() == fx.TonyId).ToList();
        var now = DateTimeOffset.UtcNow;
        Assert.All(tony, h =>
        {
            Assert.Equal(AlertsEndToEndFixture.Camera, h.GetProperty("camera").GetString());
            var start = h.GetProperty("start").GetDateTimeOffset();
            Assert.InRange(start, fx.StartedAt, now);
            if (h.GetProperty("end").ValueKind != JsonValueKind.Null) Assert.InRange(h.GetProperty("end").GetDateTimeOffset(), start, now);
            // a search without min_similarity answers only at or above the match threshold, none of it weak
            Assert.InRange(h.GetProperty("similarity").GetSingle(), 0.35f, 1f);
            Assert.False(h.GetProperty("weak").GetBoolean());
        });
        // the best hit is Tony
        Assert.Equal(fx.TonyId, hits[0].GetProperty("identity_id").GetString());
    }

    [Fact]
    public async Task RuleEdit_Put_ReplacesTheRuleKeepsItsWebhookSecretAndSaysWhatIsWrong()
    {
        using (var r = await fx.Http.PostAsJsonAsync("/api/alerts/rules", new
               {
                   id = "edit-me", kind = "unknown", cameras = new[] { "C9" }, webhook_url = "http://127.0.0.1:9/hook", webhook_secret = "s3cret",
               }))
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);

        using (var r = await fx.Http.PutAsJsonAsync("/api/alerts/rules/edit-me", new
               {
                   name = "Tony at the side door", person = "Tony Blair", cameras = new[] { "C8", "C7" },
                   windows = new[] { "Mon-Fri 08:00-18:00 UTC" }, cooldown_seconds = 90, webhook_url = "http://127.0.0.1:9/hook",
               }))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var rule = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("edit-me", "person", fx.TonyId), (rule.GetProperty("id").GetString(), rule.GetProperty("kind").GetString(), rule.GetProperty("person_id").GetString()));
            Assert.Equal(["C8", "C7"], rule.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(90, rule.GetProperty("cooldown_seconds").GetDouble());
        }
        var listed = (await fx.GetAsync("/api/alerts/rules")).EnumerateArray().Where(r => r.GetProperty("id").GetString() == "edit-me").ToList();
        Assert.Equal("Tony at the side door", Assert.Single(listed).GetProperty("name").GetString());
        // the secret was not sent again with the same URL: kept (it is never returned, so check through the grain)
        var stored = await fx.Host!.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertRulesGrain>(AlertNames.Default).GetAsync("edit-me");
        Assert.Equal("s3cret", stored!.Webhook!.Secret);

        using (var r = await fx.Http.PutAsJsonAsync("/api/alerts/rules/no-such-rule", new { kind = "unknown" }))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var r = await fx.Http.PutAsJsonAsync("/api/alerts/rules/edit-me", new { kind = "sometimes" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("unknown rule kind 'sometimes'", await r.Content.ReadAsStringAsync());
        }
        using (var r = await fx.Http.DeleteAsync("/api/alerts/rules/edit-me"))
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
    }

    private static string? Rule(JsonElement alert) => alert.GetProperty("rule_id").GetString();

    private static List<long> Sequences(JsonElement alerts) => alerts.EnumerateArray().Select(a => a.GetProperty("seq").GetInt64()).ToList();

    private static string Describe(IEnumerable<(long Id, JsonElement Alert)> alerts) =>
        string.Join("; ", alerts.Select(a => $"{a.Id} {Rule(a.Alert)} {a.Alert.GetProperty("identity_id").GetString()}"));
}
