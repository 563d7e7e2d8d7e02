using System.Text.Json;
using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>An alert as JSON (SSE, WebSocket and webhook bodies alike), snake_case.</summary>
public sealed record AlertPayload(
    long Seq, string AlertId, string RuleId, string RuleName, string Event, string Camera, string IdentityId, string? IdentityName,
    string TrackId, DateTimeOffset Time, float Similarity, string? ThumbnailKey, string? ThumbnailUrl);

/// <summary>Serialises alerts the one way every delivery path uses.</summary>
public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// The payload; <paramref name="thumbnailUrl"/> turns the thumbnail's blob key into a URL a receiver can open
    /// (a signed, time-limited one where the host has a blob store) — without it the plain API path is given.
    /// </summary>
    public static AlertPayload ToPayload(Alert a, Func<string, string?>? thumbnailUrl) => new(a.Sequence, a.AlertId, a.RuleId, a.RuleName, a.EventKind switch
        {
            IdentityEventKind.MovedCamera => "moved_camera",
            IdentityEventKind.Left => "left",
            IdentityEventKind.Retracted => "retracted",
            _ => "appeared",
        }, a.CameraId, a.IdentityId, a.IdentityName, a.TrackId, a.Time, a.Similarity, a.ThumbnailKey,
        a.ThumbnailKey is null ? null : thumbnailUrl?.Invoke(a.ThumbnailKey) ?? "/api/blobs/" + a.ThumbnailKey);

    public static byte[] SerializeToUtf8Bytes(Alert a, Func<string, string?>? thumbnailUrl = null) =>
        JsonSerializer.SerializeToUtf8Bytes(ToPayload(a, thumbnailUrl), Options);

    public static string Serialize(Alert a, Func<string, string?>? thumbnailUrl = null) => JsonSerializer.Serialize(ToPayload(a, thumbnailUrl), Options);
}
