namespace VideoFace.Media;

/// <summary>Settings of one frame source (configuration section "Media"); a camera copies the defaults and sets its own fps.</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>Frames per second delivered for analysis; 0 delivers every decoded frame.</summary>
    public double AnalysisFps { get; set; } = 2;

    /// <summary>Frames wider than this are downscaled for analysis (aspect kept); 0 keeps the width.</summary>
    public int MaxWidth { get; set; }

    /// <summary>Frames taller than this are downscaled for analysis (aspect kept); 0 keeps the height.</summary>
    public int MaxHeight { get; set; }

    /// <summary>
    /// Decode keyframes only (ffmpeg -skip_frame nokey) and keep at most <see cref="AnalysisFps"/> of them per second.
    /// Far cheaper, and right when the camera's keyframe interval is at most 1 / AnalysisFps (e.g. a 1 s GOP at
    /// 1 analysis fps); with longer GOPs fewer frames than AnalysisFps arrive.
    /// </summary>
    public bool KeyframesOnly { get; set; }

    public RtspTransport RtspTransport { get; set; } = RtspTransport.Tcp;

    /// <summary>Decoded frames waiting for the consumer; beyond this the oldest are dropped (live) or decoding waits (finite).</summary>
    public int QueueCapacity { get; set; } = 4;

    public BackPressureMode BackPressure { get; set; } = BackPressureMode.Auto;

    /// <summary>Whether the source is a live camera (reconnects on end of stream); null decides by URL scheme.</summary>
    public bool? Live { get; set; }

    /// <summary>Read files at their native frame rate (as a camera would deliver them).</summary>
    public bool ReadFileAtNativeRate { get; set; }

    /// <summary>Time allowed from starting ffmpeg to the first frame.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A streaming source with no frame for this long is restarted.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Socket I/O timeout handed to ffmpeg for network inputs.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay before the first retry of a failed camera; it doubles with each further failure (ffmpeg restarts
    /// within a session, and restarts of a session that failed for good, alike).</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap of the doubling retry delay: a camera that stays down is tried this often.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A camera that streamed this long without a break counts as healthy again: its next failure starts the
    /// delays from <see cref="ReconnectInitialDelay"/>. Shorter runs keep the delays growing (a camera that flaps).</summary>
    public TimeSpan ReconnectResetAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Relative random spread of each reconnect delay, in [0, 1).</summary>
    public double ReconnectJitter { get; set; } = 0.2;

    /// <summary>Consecutive failed attempts before the source is Failed; negative retries forever.</summary>
    public int MaxReconnectAttempts { get; set; } = -1;

    public HardwareDecode HardwareDecode { get; set; } = HardwareDecode.Auto;

    /// <summary>ffmpeg binary; null uses FFMpegCore's configured folder or PATH.</summary>
    public string? FfmpegPath { get; set; }

    /// <summary>Returns the problems of this configuration, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string rule, object value)
        {
            if (!ok) errors.Add($"{SectionName}:{key} {rule} (was {value})");
        }

        Check(AnalysisFps >= 0 && double.IsFinite(AnalysisFps), nameof(AnalysisFps), "must be 0 (every frame) or a positive number", AnalysisFps);
        Check(MaxWidth >= 0, nameof(MaxWidth), "must not be negative", MaxWidth);
        Check(MaxHeight >= 0, nameof(MaxHeight), "must not be negative", MaxHeight);
        Check(QueueCapacity >= 1, nameof(QueueCapacity), "must be at least 1", QueueCapacity);
        Check(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive", ConnectTimeout);
        Check(StallTimeout > TimeSpan.Zero, nameof(StallTimeout), "must be positive", StallTimeout);
        Check(NetworkTimeout > TimeSpan.Zero, nameof(NetworkTimeout), "must be positive", NetworkTimeout);
        Check(ReconnectInitialDelay >= TimeSpan.Zero, nameof(ReconnectInitialDelay), "must not be negative", ReconnectInitialDelay);
        Check(ReconnectMaxDelay >= ReconnectInitialDelay, nameof(ReconnectMaxDelay), "must be at least ReconnectInitialDelay", ReconnectMaxDelay);
        Check(ReconnectResetAfter >= TimeSpan.Zero, nameof(ReconnectResetAfter), "must not be negative", ReconnectResetAfter);
        Check(ReconnectJitter is >= 0 and < 1, nameof(ReconnectJitter), "must be in [0, 1)", ReconnectJitter);
        Check(Enum.IsDefined(RtspTransport), nameof(RtspTransport), "must be Tcp or Udp", RtspTransport);
        Check(Enum.IsDefined(BackPressure), nameof(BackPressure), "must be Auto, DropOldest or Wait", BackPressure);
        Check(Enum.IsDefined(HardwareDecode), nameof(HardwareDecode), "must be Auto, Off or Cuda", HardwareDecode);
        if (FfmpegPath is not null)
            Check(File.Exists(FfmpegPath), nameof(FfmpegPath), "must name an existing file", FfmpegPath);
        return errors;
    }

    /// <summary>A copy that a single source may change (e.g. its fps) without touching the shared defaults.</summary>
    public MediaOptions Clone() => (MediaOptions)MemberwiseClone();
}

/// <summary>RTSP transport of the media packets.</summary>
public enum RtspTransport
{
    Tcp,
    Udp,
}

/// <summary>What happens when the consumer falls behind.</summary>
public enum BackPressureMode
{
    /// <summary>DropOldest for live sources, Wait for finite ones.</summary>
    Auto,
    /// <summary>Drop the oldest queued frame and count it; memory stays flat and latency low.</summary>
    DropOldest,
    /// <summary>Stop reading from ffmpeg until the consumer catches up (no frame is lost).</summary>
    Wait,
}

/// <summary>Use of GPU decoding.</summary>
public enum HardwareDecode
{
    /// <summary>CUDA when an NVIDIA device is present, else software; falls back to software if CUDA fails.</summary>
    Auto,
    Off,
    /// <summary>CUDA requested; still falls back to software if it fails.</summary>
    Cuda,
}
