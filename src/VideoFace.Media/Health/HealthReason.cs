namespace VideoFace.Media.Health;

/// <summary>Why a source is in its state, classified from ffmpeg's output.</summary>
public enum HealthReason
{
    None,
    /// <summary>The host name did not resolve.</summary>
    Dns,
    /// <summary>Nothing listens on the host/port.</summary>
    ConnectionRefused,
    /// <summary>The server wants (other) credentials: 401/403.</summary>
    Unauthorized,
    /// <summary>No such file, RTSP path or HTTP resource (404).</summary>
    NotFound,
    /// <summary>Network I/O or the first frame took too long.</summary>
    Timeout,
    /// <summary>The codec is unknown or cannot be decoded.</summary>
    Codec,
    /// <summary>The input is not a readable media container (corrupt, truncated or not video).</summary>
    InvalidData,
    /// <summary>The input has no video stream.</summary>
    NoVideoStream,
    /// <summary>The stream ended (end of file, or the server closed the connection).</summary>
    EndOfStream,
    /// <summary>No frame arrived for longer than the stall timeout.</summary>
    Stalled,
    /// <summary>GPU decoding failed; the source falls back to software.</summary>
    HardwareDecode,
    /// <summary>ffmpeg could not be started or exited for an unclassified reason.</summary>
    ProcessError,
    /// <summary>The owner stopped the source.</summary>
    Cancelled,
    /// <summary>The URL policy (VideoFace:Security) refused the input; ffmpeg was not started.</summary>
    Refused,
}

/// <summary>Classification helpers.</summary>
public static class HealthReasons
{
    /// <summary>Reasons that retrying will not fix, so a source fails at once instead of reconnecting.</summary>
    public static bool IsPermanent(this HealthReason reason) => reason is
        HealthReason.Unauthorized or HealthReason.NotFound or HealthReason.Codec or
        HealthReason.InvalidData or HealthReason.NoVideoStream or HealthReason.Refused;
}
