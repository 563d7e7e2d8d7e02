using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>
/// Dedupe and cooldown over a map of key → expiry (the evaluator persists the map): a rule fires at most once per
/// track, and not again for the same identity until its cooldown has passed, so one walk-by is one alert.
/// </summary>
public sealed class AlertCooldowns(Dictionary<string, DateTimeOffset> expiries)
{
    /// <summary>How long a fired track is remembered (beyond any cooldown); track ids do not come back.</summary>
    public static readonly TimeSpan TrackMemory = TimeSpan.FromHours(1);

    public IReadOnlyDictionary<string, DateTimeOffset> Expiries => expiries;

    /// <summary>Whether the rule may fire for this event at <paramref name="now"/> (nothing is recorded).</summary>
    public bool CanFire(AlertRule rule, IdentityEvent e, DateTimeOffset now) =>
        !Active(TrackKey(rule, e), now) && !Active(IdentityKey(rule, e), now);

    /// <summary>Records that the rule fired for this event at <paramref name="now"/>.</summary>
    public void Record(AlertRule rule, IdentityEvent e, DateTimeOffset now)
    {
        expiries[TrackKey(rule, e)] = now + (rule.Cooldown > TrackMemory ? rule.Cooldown : TrackMemory);
        if (rule.Cooldown > TimeSpan.Zero) expiries[IdentityKey(rule, e)] = now + rule.Cooldown;
    }

    /// <summary><see cref="CanFire"/> then <see cref="Record"/>.</summary>
    public bool TryFire(AlertRule rule, IdentityEvent e, DateTimeOffset now)
    {
        if (!CanFire(rule, e, now)) return false;
        Record(rule, e, now);
        return true;
    }

    /// <summary>Forgets expired entries; returns how many.</summary>
    public int Prune(DateTimeOffset now)
    {
        var expired = expiries.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList();
        foreach (var k in expired) expiries.Remove(k);
        return expired.Count;
    }

    private bool Active(string key, DateTimeOffset now) => expiries.TryGetValue(key, out var until) && until > now;

    private static string TrackKey(AlertRule rule, IdentityEvent e) => $"t|{rule.Id}|{e.CameraId}|{e.TrackId}";

    private static string IdentityKey(AlertRule rule, IdentityEvent e) => $"i|{rule.Id}|{e.IdentityId}";
}
