using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;

namespace VideoFace.Media.Sources;

/// <summary>A decoded video input (file or camera) delivering BGR frames at the analysis rate.</summary>
public interface IFrameSource : IAsyncDisposable
{
    /// <summary>The input, with any password masked.</summary>
    string Source { get; }

    SourceHealth Health { get; }

    /// <summary>Transitions so far, oldest first (bounded).</summary>
    IReadOnlyList<SourceHealth> HealthHistory { get; }

    /// <summary>The input's video stream, once ffmpeg has opened it.</summary>
    StreamInfo? Stream { get; }

    FrameSourceCounters Counters { get; }

    /// <summary>Raised on every state change, on the decoding thread; keep handlers short.</summary>
    event EventHandler<SourceHealth>? HealthChanged;

    /// <summary>
    /// Starts the source and yields its frames until it ends, fails, or <paramref name="ct"/> is cancelled (which stops it).
    /// The caller owns each frame and must dispose it. Failures do not throw: the sequence ends and <see cref="Health"/> says why.
    /// Only one reader is allowed.
    /// </summary>
    IAsyncEnumerable<VideoFrame> ReadFramesAsync(CancellationToken ct = default);
}

/// <summary>Running totals of a source.</summary>
public readonly record struct FrameSourceCounters(long Decoded, long Dropped, int Sessions);
