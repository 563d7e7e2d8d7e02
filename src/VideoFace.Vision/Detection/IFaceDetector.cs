using OpenCvSharp;

namespace VideoFace.Vision.Detection;

/// <summary>Finds faces in a BGR 8-bit 3-channel image.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Short name for logs and reports (e.g. "ultraface", "scrfd").</summary>
    string Name { get; }

    /// <summary>True when <see cref="DetectedFace.Keypoints"/> is filled.</summary>
    bool ProvidesKeypoints { get; }

    /// <summary>Faces with score at or above the configured threshold, after NMS, best first.</summary>
    IReadOnlyList<DetectedFace> Detect(Mat bgr);
}
