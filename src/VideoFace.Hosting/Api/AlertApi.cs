using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using VideoFace.Hosting.Api.Contracts;
using VideoFace.Media.Security;

namespace VideoFace.Hosting.Api;

/// <summary>/api/alerts: rules (add, list, edit, remove), recent alerts, and live alerts over Server-Sent Events and WebSocket.</summary>
public static class AlertApi
{
    /// <summary>Registers the alert hub (one subscription to the alerts stream per API host).</summary>
    public static IServiceCollection AddVideoFaceAlertApi(this IServiceCollection services)
    {
        services.AddSingleton<AlertHub>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertHub>());
        return services;
    }

    public static RouteGroupBuilder MapAlertApi(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapPost("/rules", AddRuleAsync).WithName("AddAlertRule").WithSummary("Add an alert rule").RequireAdmin().Problems(400, 403, 413).JsonBody();
        alerts.MapPut("/rules/{id}", EditRuleAsync).WithName("EditAlertRule").WithSummary("Replace an alert rule").RequireAdmin().Problems(400, 403, 404, 413).JsonBody();
        alerts.MapGet("/rules", ListRulesAsync).WithName("ListAlertRules").WithSummary("List alert rules");
        alerts.MapGet("/rules/{id}", GetRuleAsync).WithName("GetAlertRule").WithSummary("Get an alert rule").Problems(404);
        alerts.MapDelete("/rules/{id}", DeleteRuleAsync).WithName("DeleteAlertRule").WithSummary("Remove an alert rule").RequireAdmin().Problems(403, 404);
        alerts.MapGet("/recent", RecentAsync).WithName("RecentAlerts").WithSummary("Recent alerts");
        alerts.MapGet("/stream", StreamAsync).WithName("AlertStream").WithSummary("Live alerts (Server-Sent Events)").Produces(200, contentType: "text/event-stream");
        alerts.MapGet("/ws", WebSocketAsync).WithName("AlertWebSocket").WithSummary("Live alerts (WebSocket)").Problems(400).ExcludeFromDescription();
        return api;
    }

    public static async Task<Created<AlertRuleResponse>> AddRuleAsync(AlertRuleRequest body, IGrainFactory grains, IServiceProvider services)
    {
        var rule = await BuildRuleAsync(body, grains, services, existing: null);
        var stored = await Rules(grains).AddAsync(rule);
        return TypedResults.Created($"/api/alerts/rules/{stored.Id}", AlertRuleResponse.From(stored));
    }

    /// <summary>The whole rule again; a webhook keeps its secret when the same URL comes without one.</summary>
    public static async Task<Ok<AlertRuleResponse>> EditRuleAsync(string id, AlertRuleRequest body, IGrainFactory grains, IServiceProvider services)
    {
        var existing = await FindAsync(id, grains);
        var rule = await BuildRuleAsync(body with { Id = id }, grains, services, existing);
        return TypedResults.Ok(AlertRuleResponse.From(await Rules(grains).AddAsync(rule)));
    }

    public static async Task<Ok<AlertRuleResponse[]>> ListRulesAsync(IGrainFactory grains) =>
        TypedResults.Ok((await Rules(grains).ListAsync()).Select(AlertRuleResponse.From).ToArray());

    public static async Task<Ok<AlertRuleResponse>> GetRuleAsync(string id, IGrainFactory grains) =>
        TypedResults.Ok(AlertRuleResponse.From(await FindAsync(id, grains)));

    public static async Task<NoContent> DeleteRuleAsync(string id, IGrainFactory grains) =>
        ApiLimits.IsValidId(id) && await Rules(grains).RemoveAsync(id) ? TypedResults.NoContent() : throw NoRule(id);

    /// <summary>The newest <c>count</c> alerts, or (with <c>after</c>) those after a sequence; oldest first either way.</summary>
    public static async Task<Ok<AlertPayload[]>> RecentAsync(int? count, long? after, IGrainFactory grains, BlobUrls urls)
    {
        var log = grains.GetGrain<IAlertLogGrain>(AlertNames.Default);
        int n = Math.Clamp(count ?? 100, 1, 10_000);
        var list = after is { } a ? await log.ReadAsync(a, n) : await log.RecentAsync(n);
        return TypedResults.Ok(list.Select(x => AlertJson.ToPayload(x, urls.For)).ToArray());
    }

    /// <summary>Server-Sent Events, "id: &lt;sequence&gt;"; Last-Event-ID (or ?after=) resumes from the persisted log.</summary>
    public static async Task StreamAsync(HttpContext http, AlertHub hub, BlobUrls urls, CancellationToken ct)
    {
        long after = SseWriter.ResumePoint(http.Request) ?? await hub.LatestSequenceAsync();
        await SseWriter.WriteAsync(http.Response, hub.SubscribeAsync(after, ct), a => (a.Sequence, "alert", AlertJson.Serialize(a, urls.For)), ct);
    }

    /// <summary>WebSocket: one text message per alert (the same JSON); ?after=&lt;seq&gt; resumes.</summary>
    public static async Task WebSocketAsync(HttpContext http, AlertHub hub, BlobUrls urls, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest) throw new BadInputException("a WebSocket upgrade request is expected");
        long after = SseWriter.ResumePoint(http.Request) ?? await hub.LatestSequenceAsync();
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = DrainUntilCloseAsync(socket, closed);
        try
        {
            await foreach (var a in hub.SubscribeAsync(after, closed.Token))
                await socket.SendAsync(Encoding.UTF8.GetBytes(AlertJson.Serialize(a, urls.For)), WebSocketMessageType.Text, true, closed.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        await closed.CancelAsync();
        await reader;
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }
    }

    /// <summary>Reads (and drops) what the client sends until it closes, then cancels the sender.</summary>
    private static async Task DrainUntilCloseAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (!closed.IsCancellationRequested)
            {
                var r = await socket.ReceiveAsync(buffer, closed.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        await closed.CancelAsync();
    }

    private static async Task<AlertRule> FindAsync(string id, IGrainFactory grains) =>
        ApiLimits.IsValidId(id) && await Rules(grains).GetAsync(id) is { } rule ? rule : throw NoRule(id);

    private static NotFoundException NoRule(string id) => new($"no alert rule '{CameraApi.Shown(id)}'");

    private static IAlertRulesGrain Rules(IGrainFactory grains) => grains.GetGrain<IAlertRulesGrain>(AlertNames.Default);

    /// <summary>
    /// The rule a request describes, validated, or a 400 saying what is wrong: the request's sizes are checked here (it
    /// came from outside), what it means is the alerts library's (<see cref="AlertRuleDrafts"/>), and a webhook must pass
    /// the URL policy.
    /// </summary>
    private static async Task<AlertRule> BuildRuleAsync(AlertRuleRequest body, IGrainFactory grains, IServiceProvider services, AlertRule? existing)
    {
        var defaults = services.GetService<IOptions<AlertOptions>>()?.Value ?? new AlertOptions();
        AlertRule rule;
        try
        {
            rule = await AlertRuleDrafts.ToRuleAsync(Draft(body), person => ResolvePersonAsync(person, grains), defaults, existing, DateTimeOffset.UtcNow);
        }
        catch (FormatException ex)
        {
            throw new BadInputException(ex.Message);
        }
        if (rule.Webhook is { } webhook && await services.GetRequiredService<UrlPolicy>().CheckWebhookAsync(webhook.Url) is { } refused)
            throw CameraApi.Refused(refused);
        return rule;
    }

    /// <summary>The request as a draft rule, once each field is within its size limits.</summary>
    private static AlertRuleDraft Draft(AlertRuleRequest body)
    {
        ApiLimits.Count(body.Cameras, "cameras");
        ApiLimits.Count(body.Windows, "windows");
        var cameras = (body.Cameras ?? []).Select(c => c?.Trim() ?? "").Where(c => c.Length > 0).ToList();
        foreach (var c in cameras) ApiLimits.Id(c, "cameras: camera id");
        var windows = (body.Windows ?? []).Select(w => ApiLimits.Text(w, "window", 64)).ToList();
        if (body.WebhookSecret is { Length: > ApiLimits.MaxSecretLength }) throw new BadInputException($"webhook_secret has more than {ApiLimits.MaxSecretLength} characters");
        var id = string.IsNullOrWhiteSpace(body.Id) ? null : ApiLimits.Id(body.Id.Trim(), "rule id");
        return new AlertRuleDraft(id, ApiLimits.Text(body.Name, "name"), body.Kind,
            ApiLimits.Text(body.Person, "person"), cameras, windows, body.CooldownSeconds,
            ApiLimits.Text(body.WebhookUrl, "webhook_url", ApiLimits.MaxUrlLength), body.WebhookSecret);
    }

    /// <summary>An identity id, or an enrolled name (to its id); a name nobody has yet is kept as a name and matches once enrolled.</summary>
    private static async Task<(string? Id, string? Name)> ResolvePersonAsync(string person, IGrainFactory grains)
    {
        var gallery = grains.GetGrain<IGalleryGrain>(Names.DefaultGallery);
        var persons = await gallery.ListPersonsAsync();
        if (persons.FirstOrDefault(p => p.IdentityId == person) is { } byId) return (byId.IdentityId, byId.Name);
        if (persons.FirstOrDefault(p => AlertRuleMatcher.SameName(p.Name, person)) is { } byName) return (byName.IdentityId, byName.Name);
        if ((await gallery.ListIdentitiesAsync()).Contains(person)) return (person, null);
        return (null, person);
    }
}
