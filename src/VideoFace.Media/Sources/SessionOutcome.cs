using VideoFace.Media.Health;

namespace VideoFace.Media.Sources;

/// <summary>How one ffmpeg run ended.</summary>
internal sealed record SessionOutcome(long Frames, HealthReason Reason, string? Message, int? ExitCode);
