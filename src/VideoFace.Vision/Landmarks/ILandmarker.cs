using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Vision.Landmarks;

/// <summary>Locates the 5 alignment key points (ArcFace-template order) of a detected face.</summary>
public interface ILandmarker : IDisposable
{
    string Name { get; }

    /// <summary>5 key points in image pixels for the face in <paramref name="box"/>.</summary>
    Point2f[] Locate(Mat bgr, FaceBox box);
}
