using System.Security.Cryptography;
using System.Text;
using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>Rule checks and the alert a rule makes from an event.</summary>
public static class AlertRules
{
    /// <summary>What is wrong with a rule (empty when it is valid).</summary>
    public static IReadOnlyList<string> Validate(AlertRule rule)
    {
        var e = new List<string>();
        if (!IsValidId(rule.Id)) e.Add("rule id: use letters, digits, '-', '_' or '.' (at most 64)");
        if (string.IsNullOrWhiteSpace(rule.Name)) e.Add("a rule needs a name");
        if (rule.Kind == AlertRuleKind.Person && string.IsNullOrWhiteSpace(rule.PersonId) && string.IsNullOrWhiteSpace(rule.PersonName))
            e.Add("a person rule needs the person's identity id or enrolled name");
        if (rule.Cameras.Any(string.IsNullOrWhiteSpace)) e.Add("camera ids must not be empty");
        if (rule.Cooldown < TimeSpan.Zero) e.Add("cooldown must not be negative");
        foreach (var w in rule.Windows)
        {
            if (w.Days.Count == 0) e.Add("a time window needs at least one day");
            try
            {
                AlertWindows.FindZone(w.TimeZoneId);
            }
            catch (FormatException ex)
            {
                e.Add(ex.Message);
            }
        }
        if (rule.Webhook is { } hook)
        {
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                e.Add($"webhook url must be an absolute http(s) URL (was '{hook.Url}')");
            if (string.IsNullOrEmpty(hook.Secret)) e.Add("a webhook needs a secret (its deliveries are signed with it)");
        }
        return e;
    }

    /// <summary>The alert (sequence 0, not yet logged) a rule makes from an event; its id is the same for the same rule and event.</summary>
    public static Alert Create(AlertRule rule, IdentityEvent e) => new(
        AlertId(rule.Id, e.EventId), 0, rule.Id, rule.Name, e.CameraId, e.IdentityId, e.Name, e.TrackId, e.Time, e.Similarity,
        e.ThumbnailKey, e.Kind, e.Incarnation);

    /// <summary>Deterministic, so a redelivered event gives the same alert id and the log drops the duplicate.</summary>
    public static string AlertId(string ruleId, string eventId) =>
        "a" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ruleId + "\n" + eventId)))[..24];

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
