using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Tracking;

/// <summary>One face found in an analysed frame: box, detector score, optional 5 key points (ArcFace order),
/// optional L2-normalised embedding (null when the caller skipped embedding this face) and optional sharpness of its
/// aligned crop (<see cref="VideoFace.Vision.Quality.FaceSharpness"/>; null when not measured).</summary>
public sealed record FaceObservation(FaceBox Box, float Score, Point2f[]? Keypoints = null, float[]? Embedding = null, float? Sharpness = null)
{
    /// <summary>An observation from a detection and its embedding, if any.</summary>
    public static FaceObservation From(DetectedFace face, float[]? embedding = null) =>
        new(face.Box, face.Score, face.Keypoints, embedding);
}

/// <summary>The faces of one analysed frame: frame time, frame size in pixels (the boxes' coordinate space) and faces.</summary>
public sealed record FrameFaces(DateTimeOffset Time, int Width, int Height, IReadOnlyList<FaceObservation> Faces);
