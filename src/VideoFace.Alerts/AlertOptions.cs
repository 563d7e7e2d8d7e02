namespace VideoFace.Alerts;

/// <summary>Alert settings (section "Alerts"): log retention, default cooldown, webhook retries.</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>
    /// DI key of a <see cref="TimeProvider"/> for the alert grains alone (tests put a fake clock there; Orleans' own
    /// timers read the unkeyed one, which must stay real); without it the unkeyed clock is used.
    /// </summary>
    public const string ClockKey = "videoface.alerts.clock";

    /// <summary>Alerts kept in the log (the oldest go first); a subscriber resuming further back misses the dropped ones.</summary>
    public int LogCapacity { get; set; } = 10_000;

    /// <summary>Alerts older than this leave the log.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Cooldown per rule and identity when a rule names none.</summary>
    public TimeSpan DefaultCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Webhook retries after the first attempt (exponential backoff with jitter).</summary>
    public int WebhookRetries { get; set; } = 6;

    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time limit of one webhook attempt.</summary>
    public TimeSpan WebhookAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Webhook deliveries in flight at once per silo.</summary>
    public int WebhookConcurrency { get; set; } = 8;

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (LogCapacity is < 1 or > 1_000_000) e.Add($"{SectionName}:LogCapacity must be between 1 and 1000000 (was {LogCapacity})");
        if (Retention <= TimeSpan.Zero) e.Add($"{SectionName}:Retention must be positive (was {Retention})");
        if (DefaultCooldown < TimeSpan.Zero) e.Add($"{SectionName}:DefaultCooldown must not be negative (was {DefaultCooldown})");
        if (WebhookRetries is < 0 or > 20) e.Add($"{SectionName}:WebhookRetries must be between 0 and 20 (was {WebhookRetries})");
        if (WebhookFirstRetryDelay <= TimeSpan.Zero) e.Add($"{SectionName}:WebhookFirstRetryDelay must be positive (was {WebhookFirstRetryDelay})");
        if (WebhookMaxRetryDelay < WebhookFirstRetryDelay) e.Add($"{SectionName}:WebhookMaxRetryDelay must be at least WebhookFirstRetryDelay (was {WebhookMaxRetryDelay})");
        if (WebhookAttemptTimeout <= TimeSpan.Zero) e.Add($"{SectionName}:WebhookAttemptTimeout must be positive (was {WebhookAttemptTimeout})");
        if (WebhookConcurrency is < 1 or > 256) e.Add($"{SectionName}:WebhookConcurrency must be between 1 and 256 (was {WebhookConcurrency})");
        return e;
    }
}
