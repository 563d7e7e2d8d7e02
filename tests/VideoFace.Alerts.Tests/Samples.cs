using VideoFace.Abstractions;

namespace VideoFace.Alerts.Tests;

/// <summary>Rules and events for the unit tests.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Monday0900Utc = new(2025, 7, 7, 9, 0, 0, TimeSpan.Zero);

    public static AlertRule Rule(AlertRuleKind kind, string? personId = null, string? personName = null, string[]? cameras = null,
        AlertTimeWindow[]? windows = null, TimeSpan? cooldown = null, string id = "r1") =>
        new(id, "rule " + id, kind, personId, personName, cameras ?? [], windows ?? [], cooldown ?? TimeSpan.FromSeconds(60), null, Monday0900Utc);

    public static IdentityEvent Event(string identityId = "p-tony", string? name = "Tony Blair", string camera = "C1", string track = "t1",
        IdentityEventKind kind = IdentityEventKind.Appeared, DateTimeOffset? time = null, string? eventId = null) =>
        new(eventId ?? Guid.NewGuid().ToString("N"), kind, identityId, name, camera, null, track, time ?? Monday0900Utc, 0.8f, "thumbs/" + track + ".jpg");
}
