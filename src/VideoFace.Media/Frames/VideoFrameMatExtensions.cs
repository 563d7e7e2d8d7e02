using OpenCvSharp;

namespace VideoFace.Media.Frames;

/// <summary>OpenCV views of frames.</summary>
public static class VideoFrameMatExtensions
{
    /// <summary>A CV_8UC3 Mat over the frame's buffer, without copying; valid only until the frame is disposed.</summary>
    public static Mat AsMat(this VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, frame.Buffer, frame.Stride);
    }
}
