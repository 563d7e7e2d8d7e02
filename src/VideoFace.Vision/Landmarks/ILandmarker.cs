using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Vision.Landmarks;

/// <summary>Locates the 5 alignment key points (ArcFace-template order) of detected faces.</summary>
public interface ILandmarker : IDisposable
{
    string Name { get; }

    /// <summary>5 key points in image pixels for each face box, in one model call where the model allows.</summary>
    Point2f[][] Locate(Mat bgr, IReadOnlyList<FaceBox> boxes);
}
