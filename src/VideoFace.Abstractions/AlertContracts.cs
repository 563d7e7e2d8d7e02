using Orleans;

namespace VideoFace.Abstractions;

/// <summary>Names of the alert grains and of the alerts stream (beside <see cref="Names"/>).</summary>
public static class AlertNames
{
    /// <summary>Stream namespace of persisted alerts (one stream, key <see cref="AllAlertsKey"/>, provider <see cref="Names.StreamProvider"/>).</summary>
    public const string AlertsNamespace = "alerts";

    /// <summary>Key of the single all-alerts stream.</summary>
    public const string AllAlertsKey = "all";

    /// <summary>Key of the rules grain and of the alert log grain.</summary>
    public const string Default = "default";
}

/// <summary>What a rule watches for.</summary>
public enum AlertRuleKind
{
    /// <summary>One person (by identity id or enrolled name), on any camera unless cameras are given.</summary>
    Person,
    /// <summary>Any face the gallery does not know (an unknown identity).</summary>
    Unknown,
    /// <summary>Any enrolled person.</summary>
    Enrolled,
}

/// <summary>A weekly time window in a time zone: days of week and a local time range (End before Start spans midnight).</summary>
[GenerateSerializer, Immutable, Alias("vf.AlertTimeWindow")]
public sealed record AlertTimeWindow(
    [property: Id(0)] IReadOnlyList<DayOfWeek> Days,
    [property: Id(1)] TimeOnly Start,
    [property: Id(2)] TimeOnly End,
    [property: Id(3)] string TimeZoneId);

/// <summary>Where a rule's alerts are POSTed, and the secret their HMAC-SHA256 signature is made with.</summary>
[GenerateSerializer, Immutable, Alias("vf.AlertWebhook")]
public sealed record AlertWebhook(
    [property: Id(0)] string Url,
    [property: Id(1)] string Secret);

/// <summary>An alert rule: what to watch, where, when, how often, and where to deliver besides the streams.</summary>
[GenerateSerializer, Immutable, Alias("vf.AlertRule")]
public sealed record AlertRule(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] AlertRuleKind Kind,
    [property: Id(3)] string? PersonId,
    [property: Id(4)] string? PersonName,
    [property: Id(5)] IReadOnlyList<string> Cameras,
    [property: Id(6)] IReadOnlyList<AlertTimeWindow> Windows,
    [property: Id(7)] TimeSpan Cooldown,
    [property: Id(8)] AlertWebhook? Webhook,
    [property: Id(9)] DateTimeOffset CreatedAt);

/// <summary>An alert: a rule matched an identity event. <see cref="Sequence"/> orders the persisted alert log (0 before it is logged).</summary>
[GenerateSerializer, Immutable, Alias("vf.Alert")]
public sealed record Alert(
    [property: Id(0)] string AlertId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string RuleId,
    [property: Id(3)] string RuleName,
    [property: Id(4)] string CameraId,
    [property: Id(5)] string IdentityId,
    [property: Id(6)] string? IdentityName,
    [property: Id(7)] string TrackId,
    [property: Id(8)] DateTimeOffset Time,
    [property: Id(9)] float Similarity,
    [property: Id(10)] string? ThumbnailKey,
    [property: Id(11)] IdentityEventKind EventKind,
    [property: Id(12)] long Incarnation = 0);
