namespace VideoFace.Media.Health;

/// <summary>A source's state at a moment, with the reason and ffmpeg's words for it; while reconnecting, when the next try is due.</summary>
public sealed record SourceHealth(HealthState State, HealthReason Reason, string? Message, DateTimeOffset Since, DateTimeOffset? RetryAt = null)
{
    public static SourceHealth Initial(DateTimeOffset now) => new(HealthState.Idle, HealthReason.None, null, now);

    public override string ToString() =>
        Reason == HealthReason.None ? State.ToString() : $"{State} ({Reason}{(Message is null ? "" : ": " + Message)})";
}
