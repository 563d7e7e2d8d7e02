using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Tracking;

/// <summary>Quality of a face for thumbnails and embeddings, in [0, 1]:
/// size × detector score × frontalness × sharpness × (truncated ? TruncatedFaceFactor : 1).</summary>
/// <remarks>
/// <para>size = min(1, shorter side of the visible box / FullQualityFaceSize): beyond the embedder's input size more
/// pixels add nothing, below it detail is lost in proportion.</para>
/// <para>frontalness = yaw × pitch from the 5 key points (eyes e1, e2, nose n, mouth corners m1, m2), measured in the
/// face's own frame so in-plane roll does not count: with u the unit eye-to-eye vector and L the eye distance,
/// t = (n − e1)·u / L is 0.5 for a frontal face and moves toward 0 or 1 as the head turns, so yaw = 1 − |2t − 1|;
/// with p ⟂ u, r = ((n − e1)·p) / ((m − e1)·p) (m the mouth centre) is the nose's height between eye line and
/// mouth line, 0.495 in the ArcFace template, so pitch = 1 − |r − 0.495| / 0.495. Both are clamped to [0, 1];
/// without key points frontalness is NoKeypointFrontalness.</para>
/// <para>sharpness = min(1, variance of the Laplacian of the aligned crop / FullQualitySharpness), 1 when not measured
/// or turned off: a blurred face's embedding drifts toward every other blurred face, so it weighs less in the track's
/// embedding, is not its thumbnail, and a track of blurred faces only is not named on them.</para>
/// <para>A product, not a sum, because any one bad factor (tiny, doubtful, profile, cut off) spoils the face.</para>
/// </remarks>
public static class FaceQuality
{
    /// <summary>Nose height between eye line and mouth line in the ArcFace 112×112 template.</summary>
    internal const float TemplateNoseRatio = (71.7366f - 51.59885f) / (92.2848f - 51.59885f);

    /// <summary>The quality of one face in a frame of the given size.</summary>
    public static float Compute(FaceObservation face, int frameWidth, int frameHeight, TrackerOptions options)
    {
        var box = face.Box;
        var visible = box.Clip(frameWidth, frameHeight);
        float size = Math.Clamp(Math.Min(visible.Width, visible.Height) / options.FullQualityFaceSize, 0, 1);
        float score = Math.Clamp(face.Score, 0, 1);
        float frontal = face.Keypoints is { Length: >= 5 } kp ? Frontalness(kp) : options.NoKeypointFrontalness;
        // One pixel of slack: detectors often put a border face's edge exactly on the frame edge.
        bool truncated = box.X1 < -1 || box.Y1 < -1 || box.X2 > frameWidth + 1 || box.Y2 > frameHeight + 1;
        return size * score * frontal * Sharpness(face.Sharpness, options) * (truncated ? options.TruncatedFaceFactor : 1);
    }

    /// <summary>The sharpness term in [0, 1]: 1 when not measured or turned off.</summary>
    public static float Sharpness(float? measured, TrackerOptions options) =>
        measured is { } v && options.FullQualitySharpness > 0 ? Math.Clamp(float.IsFinite(v) ? v / options.FullQualitySharpness : 0, 0, 1) : 1;

    /// <summary>Frontalness in [0, 1] from 5 key points in ArcFace order (1 for the template, 0 for a profile).</summary>
    public static float Frontalness(IReadOnlyList<Point2f> kp)
    {
        if (kp.Count < 5) throw new ArgumentException("5 key points expected", nameof(kp));
        Point2f e1 = kp[0], e2 = kp[1], n = kp[2];
        var m = new Point2f((kp[3].X + kp[4].X) / 2, (kp[3].Y + kp[4].Y) / 2);
        float ux = e2.X - e1.X, uy = e2.Y - e1.Y;
        float eyeDistance = MathF.Sqrt(ux * ux + uy * uy);
        if (!(eyeDistance > 1e-3f)) return 0; // both eyes on one point: a full profile (or garbage)
        ux /= eyeDistance;
        uy /= eyeDistance;
        float px = -uy, py = ux; // perpendicular, pointing from the eyes toward the mouth for an upright face

        float t = ((n.X - e1.X) * ux + (n.Y - e1.Y) * uy) / eyeDistance;
        float yaw = Math.Clamp(1 - Math.Abs(2 * t - 1), 0, 1);

        float noseDrop = (n.X - e1.X) * px + (n.Y - e1.Y) * py;
        float mouthDrop = (m.X - e1.X) * px + (m.Y - e1.Y) * py;
        if (!(mouthDrop > 1e-3f)) return 0; // mouth above the eyes in the face's frame: not a usable face
        float r = noseDrop / mouthDrop;
        float pitch = Math.Clamp(1 - Math.Abs(r - TemplateNoseRatio) / TemplateNoseRatio, 0, 1);
        return float.IsFinite(yaw * pitch) ? yaw * pitch : 0;
    }
}
