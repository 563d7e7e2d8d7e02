using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Grains.Alerts;
using VideoFace.Media.Security;

namespace VideoFace.Hosting.Api;

/// <summary>/api/alerts: rules (add, list, edit, remove), recent alerts, and live alerts over Server-Sent Events and WebSocket.</summary>
public static class AlertEndpoints
{
    /// <summary>Body of POST /api/alerts/rules (snake_case JSON); <c>person</c> is an identity id or an enrolled name.</summary>
    public sealed record AlertRuleRequest(
        string? Id, string? Name, string? Kind, string? Person, string[]? Cameras, string[]? Windows, double? CooldownSeconds,
        string? WebhookUrl, string? WebhookSecret);

    /// <summary>Registers the alert hub (one subscription to the alerts stream per API host).</summary>
    public static IServiceCollection AddVideoFaceAlertApi(this IServiceCollection services)
    {
        services.AddSingleton<AlertHub>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertHub>());
        return services;
    }

    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts");
        alerts.MapPost("/rules", async (AlertRuleRequest body, IGrainFactory grains, IServiceProvider services) =>
        {
            var (rule, error) = await BuildRuleAsync(body, grains, services, existing: null);
            if (error is not null) return error;
            var stored = await grains.GetGrain<IAlertRulesGrain>(AlertNames.Default).AddAsync(rule!);
            return Results.Created($"/api/alerts/rules/{stored.Id}", RuleJson(stored));
        });
        // edit: the whole rule again; a webhook keeps its secret when the same URL comes without one
        alerts.MapPut("/rules/{id}", async (string id, AlertRuleRequest body, IGrainFactory grains, IServiceProvider services) =>
        {
            var rules = grains.GetGrain<IAlertRulesGrain>(AlertNames.Default);
            if (await rules.GetAsync(id) is not { } existing) return Results.NotFound(new { error = $"no alert rule '{id}'" });
            var (rule, error) = await BuildRuleAsync(body with { Id = id }, grains, services, existing);
            return error ?? Results.Ok(RuleJson(await rules.AddAsync(rule!)));
        });
        alerts.MapGet("/rules", async (IGrainFactory grains) =>
            Results.Ok((await grains.GetGrain<IAlertRulesGrain>(AlertNames.Default).ListAsync()).Select(RuleJson)));
        alerts.MapGet("/rules/{id}", async (string id, IGrainFactory grains) =>
            await grains.GetGrain<IAlertRulesGrain>(AlertNames.Default).GetAsync(id) is { } rule
                ? Results.Ok(RuleJson(rule)) : Results.NotFound(new { error = $"no alert rule '{id}'" }));
        alerts.MapDelete("/rules/{id}", async (string id, IGrainFactory grains) =>
            await grains.GetGrain<IAlertRulesGrain>(AlertNames.Default).RemoveAsync(id) ? Results.NoContent() : Results.NotFound(new { error = $"no alert rule '{id}'" }));

        // newest `count` alerts, or (with after) those after a sequence; oldest first either way
        alerts.MapGet("/recent", async (int? count, long? after, IGrainFactory grains, BlobUrls urls) =>
        {
            var log = grains.GetGrain<IAlertLogGrain>(AlertNames.Default);
            int n = Math.Clamp(count ?? 100, 1, 10_000);
            var list = after is { } a ? await log.ReadAsync(a, n) : await log.RecentAsync(n);
            return Results.Ok(list.Select(a => AlertJson.ToPayload(a, urls.For)));
        });

        // Server-Sent Events, "id: <sequence>"; Last-Event-ID (or ?after=) resumes from the persisted log
        alerts.MapGet("/stream", async (HttpContext http, AlertHub hub, BlobUrls urls, CancellationToken ct) =>
        {
            long after = ResumePoint(http) ?? await hub.LatestSequenceAsync();
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                await foreach (var a in hub.SubscribeAsync(after, ct))
                {
                    await http.Response.WriteAsync($"id: {a.Sequence}\nevent: alert\ndata: {AlertJson.Serialize(a, urls.For)}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // WebSocket: one text message per alert (the same JSON); ?after=<seq> resumes
        alerts.MapGet("/ws", async (HttpContext http, AlertHub hub, BlobUrls urls, CancellationToken ct) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsJsonAsync(new { error = "a WebSocket upgrade request is expected" }, ct);
                return;
            }
            long after = ResumePoint(http) ?? await hub.LatestSequenceAsync();
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
        });
        return api;
    }

    private static long? ResumePoint(HttpContext http) =>
        long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var id) ? id
        : long.TryParse(http.Request.Query["after"].ToString(), out var q) ? q
        : null;

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

    /// <summary>
    /// The rule a request describes, validated, or a 400 saying what is wrong. Editing an <paramref name="existing"/>
    /// rule keeps its creation time, and its webhook secret when the same URL comes without one.
    /// </summary>
    private static async Task<(AlertRule? Rule, IResult? Error)> BuildRuleAsync(AlertRuleRequest body, IGrainFactory grains,
        IServiceProvider services, AlertRule? existing)
    {
        var defaults = services.GetService<IOptions<AlertOptions>>()?.Value ?? new AlertOptions();
        AlertRule rule;
        try
        {
            rule = await ToRuleAsync(body, grains, defaults);
        }
        catch (FormatException ex)
        {
            return (null, Results.BadRequest(new { error = ex.Message }));
        }
        if (existing is not null)
        {
            if (rule.Webhook is { Secret: "" } hook && existing.Webhook is { } old && old.Url == hook.Url) rule = rule with { Webhook = old };
            rule = rule with { CreatedAt = existing.CreatedAt };
        }
        var errors = AlertRules.Validate(rule);
        if (errors.Count == 0 && rule.Webhook is { } webhook
            && await services.GetRequiredService<UrlPolicy>().CheckWebhookAsync(webhook.Url) is { } refused)
            return (null, Results.BadRequest(new { error = refused.Message, rule = refused.Rule }));
        return errors.Count > 0 ? (null, Results.BadRequest(new { error = string.Join("; ", errors) })) : (rule, null);
    }

    private static async Task<AlertRule> ToRuleAsync(AlertRuleRequest body, IGrainFactory grains, AlertOptions defaults)
    {
        var kind = body.Kind?.Trim().ToLowerInvariant() switch
        {
            null or "" => body.Person is null ? throw new FormatException("say what to watch: 'person' (id or name), or kind 'unknown' or 'enrolled'") : AlertRuleKind.Person,
            "person" => AlertRuleKind.Person,
            "unknown" => AlertRuleKind.Unknown,
            "enrolled" => AlertRuleKind.Enrolled,
            var k => throw new FormatException($"unknown rule kind '{k}' (person, unknown or enrolled)"),
        };
        if (kind != AlertRuleKind.Person && !string.IsNullOrWhiteSpace(body.Person)) throw new FormatException($"'person' only goes with kind 'person'");
        string? personId = null, personName = null;
        if (kind == AlertRuleKind.Person && !string.IsNullOrWhiteSpace(body.Person))
            (personId, personName) = await ResolvePersonAsync(body.Person.Trim(), grains);
        var cameras = (body.Cameras ?? []).Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var windows = (body.Windows ?? []).Select(AlertWindows.Parse).ToList();
        if (body.CooldownSeconds is < 0 or > 86_400 * 30) throw new FormatException("cooldown_seconds must be between 0 and 2592000");
        var cooldown = body.CooldownSeconds is { } s ? TimeSpan.FromSeconds(s) : defaults.DefaultCooldown;
        AlertWebhook? webhook = null;
        if (!string.IsNullOrWhiteSpace(body.WebhookUrl)) webhook = new AlertWebhook(body.WebhookUrl.Trim(), body.WebhookSecret ?? "");
        else if (!string.IsNullOrEmpty(body.WebhookSecret)) throw new FormatException("webhook_secret without webhook_url");
        var where = cameras.Count == 0 ? "anywhere" : "on " + string.Join(", ", cameras);
        var name = string.IsNullOrWhiteSpace(body.Name)
            ? kind switch
            {
                AlertRuleKind.Person => $"{personName ?? personId} {where}",
                AlertRuleKind.Unknown => $"unknown face {where}",
                _ => $"enrolled person {where}",
            }
            : body.Name.Trim();
        var id = string.IsNullOrWhiteSpace(body.Id) ? "r-" + Guid.NewGuid().ToString("N")[..10] : body.Id.Trim();
        return new AlertRule(id, name, kind, personId, personName, cameras, windows, cooldown, webhook, DateTimeOffset.UtcNow);
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

    private static object RuleJson(AlertRule r) => new
    {
        id = r.Id,
        name = r.Name,
        kind = r.Kind.ToString().ToLowerInvariant(),
        person_id = r.PersonId,
        person_name = r.PersonName,
        cameras = r.Cameras,
        windows = r.Windows.Select(AlertWindows.Format),
        cooldown_seconds = r.Cooldown.TotalSeconds,
        webhook_url = r.Webhook?.Url,
        created_at = r.CreatedAt,
    };
}
