using System.Buffers;

namespace VideoFace.Media.Frames;

/// <summary>Pool of frame buffers for one source, so steady decoding allocates no image memory.</summary>
internal sealed class FramePool
{
    // A private pool: the shared one keeps few large arrays per core and would allocate under load.
    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 32);
    private readonly CountingPool _returner;
    private long _outstanding;

    public FramePool() => _returner = new CountingPool(this);

    /// <summary>Frames rented and not yet disposed (for tests and metrics).</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    public VideoFrame Rent(int width, int height, TimeSpan pts, DateTimeOffset captureTime, double scaleX, double scaleY, long sequence)
    {
        var buffer = _pool.Rent(width * height * 3);
        Interlocked.Increment(ref _outstanding);
        return new VideoFrame(_returner, buffer, width, height)
        {
            Pts = pts,
            CaptureTime = captureTime,
            ScaleX = scaleX,
            ScaleY = scaleY,
            Sequence = sequence,
        };
    }

    private void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref _outstanding);
        _pool.Return(buffer);
    }

    // Thin adapter so VideoFrame only knows ArrayPool; counts returns for Outstanding.
    private sealed class CountingPool(FramePool owner) : ArrayPool<byte>
    {
        public override byte[] Rent(int minimumLength) => throw new NotSupportedException();
        public override void Return(byte[] array, bool clearArray = false) => owner.Return(array);
    }
}
