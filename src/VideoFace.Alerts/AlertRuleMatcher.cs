using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>Whether a rule matches an identity event: who, on which camera, at what time. Left, Retracted and Merged events never match.</summary>
public static class AlertRuleMatcher
{
    public static bool Matches(AlertRule rule, IdentityEvent e)
    {
        if (e.Kind is IdentityEventKind.Left or IdentityEventKind.Retracted or IdentityEventKind.Merged) return false;
        bool who = rule.Kind switch
        {
            AlertRuleKind.Person => (rule.PersonId is { } id && e.IdentityId == id)
                                    || (rule.PersonName is { } name && e.Name is { } seen && SameName(name, seen)),
            AlertRuleKind.Unknown => e.Name is null,
            AlertRuleKind.Enrolled => e.Name is not null,
            _ => false,
        };
        if (!who) return false;
        if (rule.Cameras.Count > 0 && !rule.Cameras.Contains(e.CameraId, StringComparer.Ordinal)) return false;
        return rule.Windows.Count == 0 || rule.Windows.Any(w => AlertWindows.Contains(w, e.Time));
    }

    /// <summary>Names compare without case, and "Tony_Blair" is "Tony Blair" (folder-style names).</summary>
    public static bool SameName(string a, string b) =>
        string.Equals(a.Replace('_', ' ').Trim(), b.Replace('_', ' ').Trim(), StringComparison.OrdinalIgnoreCase);
}
