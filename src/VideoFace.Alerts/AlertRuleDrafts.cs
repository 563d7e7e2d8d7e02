using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>
/// What a client asks a rule to be, field by field as it came (already bounded in size by whoever received it):
/// <c>Person</c> is an identity id or an enrolled name, <c>Kind</c> is person, unknown or enrolled, windows are
/// "Mon-Fri 08:00-18:00 Europe/Paris" texts.
/// </summary>
public sealed record AlertRuleDraft(
    string? Id, string? Name, string? Kind, string? Person, IReadOnlyList<string?> Cameras, IReadOnlyList<string?> Windows,
    double? CooldownSeconds, string? WebhookUrl, string? WebhookSecret);

/// <summary>Turns a draft into a valid rule, or says in one message what is wrong with it.</summary>
public static class AlertRuleDrafts
{
    /// <summary>The longest cooldown a rule may ask for (30 days).</summary>
    public const double MaxCooldownSeconds = 86_400 * 30;

    /// <summary>
    /// The rule <paramref name="draft"/> describes; <paramref name="resolvePerson"/> turns the person field into an identity
    /// id and/or enrolled name (a name nobody has yet stays a name and matches once enrolled). Editing an
    /// <paramref name="existing"/> rule keeps its creation time, and its webhook secret when the same URL comes without one.
    /// </summary>
    /// <exception cref="FormatException">The draft is not a valid rule; the message says why, for the client.</exception>
    public static async Task<AlertRule> ToRuleAsync(AlertRuleDraft draft, Func<string, Task<(string? Id, string? Name)>> resolvePerson,
        AlertOptions defaults, AlertRule? existing, DateTimeOffset now)
    {
        var kind = KindOf(draft);
        string? personId = null, personName = null;
        var person = draft.Person?.Trim();
        if (kind == AlertRuleKind.Person && !string.IsNullOrEmpty(person)) (personId, personName) = await resolvePerson(person).ConfigureAwait(false);
        var cameras = draft.Cameras.Select(c => c?.Trim() ?? "").Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var windows = draft.Windows.Select(w => AlertWindows.Parse(w?.Trim() ?? "")).ToList();
        if (draft.CooldownSeconds is not { } seconds) seconds = defaults.DefaultCooldown.TotalSeconds;
        else if (!(seconds >= 0 && seconds <= MaxCooldownSeconds)) throw new FormatException($"cooldown_seconds must be between 0 and {MaxCooldownSeconds:0}");
        var webhook = Webhook(draft, existing);
        var where = cameras.Count == 0 ? "anywhere" : "on " + string.Join(", ", cameras);
        var name = string.IsNullOrWhiteSpace(draft.Name)
            ? kind switch
            {
                AlertRuleKind.Person => $"{personName ?? personId} {where}",
                AlertRuleKind.Unknown => $"unknown face {where}",
                _ => $"enrolled person {where}",
            }
            : draft.Name.Trim();
        var id = string.IsNullOrWhiteSpace(draft.Id) ? "r-" + Guid.NewGuid().ToString("N")[..10] : draft.Id.Trim();
        var rule = new AlertRule(id, name, kind, personId, personName, cameras, windows, TimeSpan.FromSeconds(seconds), webhook,
            existing?.CreatedAt ?? now);
        var errors = AlertRules.Validate(rule);
        return errors.Count == 0 ? rule : throw new FormatException(string.Join("; ", errors));
    }

    private static AlertRuleKind KindOf(AlertRuleDraft draft)
    {
        var kind = draft.Kind?.Trim().ToLowerInvariant() switch
        {
            null or "" => string.IsNullOrWhiteSpace(draft.Person)
                ? throw new FormatException("say what to watch: 'person' (id or name), or kind 'unknown' or 'enrolled'")
                : AlertRuleKind.Person,
            "person" => AlertRuleKind.Person,
            "unknown" => AlertRuleKind.Unknown,
            "enrolled" => AlertRuleKind.Enrolled,
            var k => throw new FormatException($"unknown rule kind '{Shown(k)}' (person, unknown or enrolled)"),
        };
        if (kind != AlertRuleKind.Person && !string.IsNullOrWhiteSpace(draft.Person)) throw new FormatException("'person' only goes with kind 'person'");
        return kind;
    }

    private static AlertWebhook? Webhook(AlertRuleDraft draft, AlertRule? existing)
    {
        var url = draft.WebhookUrl?.Trim();
        if (string.IsNullOrEmpty(url))
            return string.IsNullOrEmpty(draft.WebhookSecret) ? null : throw new FormatException("webhook_secret without webhook_url");
        // an edit that leaves the secret out keeps the one the rule has for the same URL (secrets are never shown back)
        if (string.IsNullOrEmpty(draft.WebhookSecret) && existing?.Webhook is { } old && old.Url == url) return old;
        return new AlertWebhook(url, draft.WebhookSecret ?? "");
    }

    /// <summary>A client's value as echoed in an error: at most 64 characters.</summary>
    private static string Shown(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
