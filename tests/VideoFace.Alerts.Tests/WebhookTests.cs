using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;

namespace VideoFace.Alerts.Tests;

public sealed class WebhookTests
{
    private static readonly Alert Sample = new("a123", 7, "r1", "Tony anywhere", "C1", "p-tony", "Tony Blair", "t1",
        Samples.Monday0900Utc, 0.8f, "thumbs/t1.jpg", IdentityEventKind.Appeared);

    private static readonly AlertWebhook Hook = new("http://127.0.0.1:9/hook", "s3cret");

    [Fact]
    public void Signature_KnownVector_IsHexHmacSha256()
    {
        // RFC-style vector: HMAC-SHA256(key "key", "The quick brown fox jumps over the lazy dog")
        var sig = WebhookSignature.Sign("key", Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog"));
        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", sig);
    }

    [Fact]
    public void Verify_TamperedBodyOrWrongSecret_Fails()
    {
        var body = Encoding.UTF8.GetBytes("{\"alert_id\":\"a1\"}");
        var sig = WebhookSignature.Sign("s3cret", body);
        Assert.True(WebhookSignature.Verify("s3cret", body, sig));
        Assert.False(WebhookSignature.Verify("other", body, sig));
        Assert.False(WebhookSignature.Verify("s3cret", Encoding.UTF8.GetBytes("{\"alert_id\":\"a2\"}"), sig));
        Assert.False(WebhookSignature.Verify("s3cret", body, "sha256=zz"));
        Assert.False(WebhookSignature.Verify("s3cret", body, null));
    }

    [Fact]
    public async Task Sender_TransientFailures_RetriesWithTheSameSignedBodyUntilDelivered()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        using var sender = Sender(handler, retries: 4);

        var result = await sender.SendAsync(Sample, Hook, CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("a123", r.Delivery);
            Assert.True(WebhookSignature.Verify(Hook.Secret, r.Body, r.Signature));
            Assert.Equal(handler.Requests[0].Body, r.Body);
        });
        using var doc = JsonDocument.Parse(handler.Requests[0].Body);
        Assert.Equal("r1", doc.RootElement.GetProperty("rule_id").GetString());
        Assert.Equal("C1", doc.RootElement.GetProperty("camera").GetString());
        Assert.Equal("p-tony", doc.RootElement.GetProperty("identity_id").GetString());
        Assert.Equal(7, doc.RootElement.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Sender_ReceiverAlwaysFails_GivesUpAfterRetriesWithoutThrowing()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadGateway);
        using var sender = Sender(handler, retries: 2);
        var result = await sender.SendAsync(Sample, Hook, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(HttpStatusCode.BadGateway, result.Status);
    }

    [Fact]
    public async Task Sender_ClientError_IsNotRetried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest);
        using var sender = Sender(handler, retries: 5);
        var result = await sender.SendAsync(Sample, Hook, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task Sender_ConnectionRefused_RetriesThenReportsTheError()
    {
        using var sender = new AlertWebhookSender(Options(retries: 1), NullLogger<AlertWebhookSender>.Instance);
        var port = VideoFace.Testing.Ports.Free(1)[0]; // nobody listens there
        var result = await sender.SendAsync(Sample, Hook with { Url = $"http://127.0.0.1:{port}/hook" }, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(2, result.Attempts);
        Assert.NotNull(result.Error);
    }

    private static AlertOptions Options(int retries) => new()
    {
        WebhookRetries = retries,
        WebhookFirstRetryDelay = TimeSpan.FromMilliseconds(10),
        WebhookMaxRetryDelay = TimeSpan.FromMilliseconds(50),
        WebhookAttemptTimeout = TimeSpan.FromSeconds(5),
    };

    private static AlertWebhookSender Sender(HttpMessageHandler handler, int retries) =>
        new(Options(retries), NullLogger<AlertWebhookSender>.Instance, handler);

    /// <summary>Answers with the given statuses in turn (the last one repeats) and records each request.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        public List<(byte[] Body, string? Signature, string? Delivery)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            Requests.Add((body, Header(request, WebhookSignature.Header), Header(request, WebhookSignature.DeliveryHeader)));
            return new HttpResponseMessage(statuses[Math.Min(Requests.Count - 1, statuses.Length - 1)]);
        }

        private static string? Header(HttpRequestMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.Single() : null;
    }
}
