using System.Buffers;

namespace VideoFace.Media.Frames;

/// <summary>One decoded BGR24 frame in a pooled buffer; dispose it to return the buffer.</summary>
public sealed class VideoFrame : IDisposable
{
    private readonly ArrayPool<byte>? _pool;
    private byte[]? _buffer;

    internal VideoFrame(ArrayPool<byte>? pool, byte[] buffer, int width, int height)
    {
        _pool = pool;
        _buffer = buffer;
        Width = width;
        Height = height;
    }

    /// <summary>Wraps caller-owned BGR24 pixels (not pooled; nothing is returned on dispose).</summary>
    public static VideoFrame FromBgr(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length < width * height * 3)
            throw new ArgumentException($"need {width * height * 3} bytes for {width}x{height} BGR24, got {pixels.Length}", nameof(pixels));
        return new VideoFrame(null, pixels, width, height);
    }

    /// <summary>Wraps caller-owned BGR24 pixels captured at <paramref name="captureTime"/> (an in-memory source; trackers run on frame time).</summary>
    public static VideoFrame FromBgr(byte[] pixels, int width, int height, DateTimeOffset captureTime)
    {
        var frame = FromBgr(pixels, width, height);
        frame.CaptureTime = captureTime;
        return frame;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Bytes per row (BGR24, tightly packed).</summary>
    public int Stride => Width * 3;

    public int Length => Stride * Height;

    /// <summary>Presentation time in the stream's clock.</summary>
    public TimeSpan Pts { get; init; }

    /// <summary>Wall-clock time the frame was captured (live) or session start + pts (files).</summary>
    public DateTimeOffset CaptureTime { get; internal set; }

    /// <summary>Multiply x by this to map a coordinate back to the source's full resolution.</summary>
    public double ScaleX { get; init; } = 1;

    /// <summary>Multiply y by this to map a coordinate back to the source's full resolution.</summary>
    public double ScaleY { get; init; } = 1;

    /// <summary>Position of the frame among the frames this source delivered or dropped, from 0.</summary>
    public long Sequence { get; init; }

    /// <summary>The pixels, row-major BGR.</summary>
    public Span<byte> Pixels => Buffer.AsSpan(0, Length);

    public Memory<byte> Memory => Buffer.AsMemory(0, Length);

    /// <summary>The underlying array (may be longer than <see cref="Length"/>).</summary>
    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(VideoFrame));

    public bool IsDisposed => _buffer is null;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) _pool?.Return(buffer);
    }
}
