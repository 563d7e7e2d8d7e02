namespace VideoFace.Media.Health;

/// <summary>Lifecycle state of a frame source.</summary>
public enum HealthState
{
    /// <summary>Not started yet.</summary>
    Idle,
    /// <summary>ffmpeg is opening the input; no frame yet.</summary>
    Connecting,
    /// <summary>Frames are arriving.</summary>
    Streaming,
    /// <summary>No frame for longer than the stall timeout; the session is being restarted.</summary>
    Stalled,
    /// <summary>Waiting (backoff) before opening the input again.</summary>
    Reconnecting,
    /// <summary>A finite source (file) reached its end; no more frames.</summary>
    Ended,
    /// <summary>Gave up: a permanent error, or reconnect attempts exhausted.</summary>
    Failed,
    /// <summary>Stopped by its owner (cancelled or disposed).</summary>
    Stopped,
}
