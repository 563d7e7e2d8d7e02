using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;

namespace VideoFace.Hosting.Api.Contracts;

/// <summary>Body of POST /api/alerts/rules and PUT /api/alerts/rules/{id}; <c>person</c> is an identity id or an enrolled name.</summary>
public sealed record AlertRuleRequest(
    string? Id, string? Name, string? Kind, string? Person, string[]? Cameras, string[]? Windows, double? CooldownSeconds,
    string? WebhookUrl, string? WebhookSecret);

/// <summary>An alert rule as stored (the webhook secret is never returned).</summary>
public sealed record AlertRuleResponse(
    string Id, string Name, string Kind, string? PersonId, string? PersonName, IReadOnlyList<string> Cameras, IReadOnlyList<string> Windows,
    double CooldownSeconds, string? WebhookUrl, DateTimeOffset CreatedAt)
{
    public static AlertRuleResponse From(AlertRule r) => new(
        r.Id, r.Name, r.Kind.ToString().ToLowerInvariant(), r.PersonId, r.PersonName, r.Cameras, r.Windows.Select(AlertWindows.Format).ToList(),
        r.Cooldown.TotalSeconds, r.Webhook?.Url, r.CreatedAt);
}
