using System.Threading.Channels;
using VideoFace.Media.Frames;

namespace VideoFace.Media.Sources;

/// <summary>Bounded hand-off from the decoder to the consumer; either drops the oldest frame (counted) or makes the decoder wait.</summary>
internal sealed class FrameQueue
{
    private readonly Channel<VideoFrame> _channel;
    private long _dropped;

    public FrameQueue(int capacity, bool dropOldest)
    {
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = dropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = true,
        };
        _channel = Channel.CreateBounded<VideoFrame>(options, OnDropped);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<VideoFrame> Reader => _channel.Reader;

    /// <summary>Enqueues the frame; disposes it when the queue is already completed.</summary>
    public async ValueTask WriteAsync(VideoFrame frame, CancellationToken ct)
    {
        try
        {
            await _channel.Writer.WriteAsync(frame, ct).ConfigureAwait(false);
        }
        catch
        {
            frame.Dispose();
            throw;
        }
    }

    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Returns the buffers of frames nobody will read.</summary>
    public void Drain()
    {
        while (_channel.Reader.TryRead(out var frame)) frame.Dispose();
    }

    private void OnDropped(VideoFrame frame)
    {
        Interlocked.Increment(ref _dropped);
        frame.Dispose();
    }
}
