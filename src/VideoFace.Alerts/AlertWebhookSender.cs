using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using VideoFace.Abstractions;
using VideoFace.Media.Security;

namespace VideoFace.Alerts;

/// <summary>Outcome of one webhook delivery (after all retries).</summary>
public sealed record WebhookResult(bool Delivered, int Attempts, HttpStatusCode? Status, string? Error);

/// <summary>
/// POSTs an alert as JSON to a rule's webhook, signed (<see cref="WebhookSignature"/>) and with the alert id as
/// delivery id, retrying network errors, timeouts, 408, 429 and 5xx with exponential backoff (Polly).
/// </summary>
public sealed partial class AlertWebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger _logger;

    /// <param name="policy">When set, every connection's address is checked against it as the socket opens (so a host
    /// name cannot resolve to a refused address between the check and the post).</param>
    public AlertWebhookSender(AlertOptions options, ILogger<AlertWebhookSender> logger, HttpMessageHandler? handler = null, TimeProvider? time = null,
        UrlPolicy? policy = null)
    {
        _logger = logger;
        _http = new HttpClient(handler ?? GuardedHandler(policy))
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt is limited by the pipeline's timeout
        };
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests),
                MaxRetryAttempts = options.WebhookRetries,
                Delay = options.WebhookFirstRetryDelay,
                MaxDelay = options.WebhookMaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    LogRetry(_logger, args.AttemptNumber + 1, args.Outcome.Result?.StatusCode.ToString() ?? args.Outcome.Exception?.Message ?? "?",
                        args.RetryDelay.TotalSeconds);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.WebhookAttemptTimeout)
            .Build();
    }

    /// <summary>
    /// Redirects are not followed (a 3xx is a failed delivery: a redirect to an internal address would carry the alert
    /// there), no proxy from the environment is used, and each connection goes only to addresses the policy allows.
    /// </summary>
    private static SocketsHttpHandler GuardedHandler(UrlPolicy? policy)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        if (policy is null) return handler;
        handler.ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            foreach (var address in addresses)
                if (policy.CheckWebhookAddress(address) is { } refusal) throw new HttpRequestException(refusal.Message);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }

    /// <summary>Turns a thumbnail key into a URL the receiver can open without an API key (signed, time-limited); set by the host.</summary>
    public Func<string, string?>? ThumbnailUrl { get; init; }

    /// <summary>Delivers one alert; failures are reported in the result (and logged), never thrown, except cancellation.</summary>
    public async Task<WebhookResult> SendAsync(Alert alert, AlertWebhook webhook, CancellationToken ct)
    {
        var body = AlertJson.SerializeToUtf8Bytes(alert, ThumbnailUrl);
        var signature = WebhookSignature.Sign(webhook.Secret, body);
        int attempts = 0;
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add(WebhookSignature.Header, signature);
                request.Headers.Add(WebhookSignature.DeliveryHeader, alert.AlertId);
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("VideoFace-Webhook", "1"));
                return await _http.SendAsync(request, token);
            }, ct);
            if (response.IsSuccessStatusCode)
            {
                LogDelivered(_logger, alert.AlertId, webhook.Url, attempts);
                AlertInstruments.WebhookDeliveredCounter.Add(1);
                return new WebhookResult(true, attempts, response.StatusCode, null);
            }
            LogFailed(_logger, alert.AlertId, webhook.Url, attempts, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            AlertInstruments.WebhookFailedCounter.Add(1);
            return new WebhookResult(false, attempts, response.StatusCode, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogFailed(_logger, alert.AlertId, webhook.Url, attempts, ex.Message);
            AlertInstruments.WebhookFailedCounter.Add(1);
            return new WebhookResult(false, attempts, null, ex.Message);
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook retry {Attempt} (after {Outcome}) in {DelaySeconds:0.0} s")]
    private static partial void LogRetry(ILogger logger, int attempt, string outcome, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {AlertId} delivered to {Url} in {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string alertId, string url, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} could not be delivered to {Url} after {Attempts} attempt(s): {Error}")]
    private static partial void LogFailed(ILogger logger, string alertId, string url, int attempts, string error);
}
