using OpenCvSharp;
using VideoFace.Tracking;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;

namespace VideoFace.Tracking.Tests;

/// <summary>Synthetic faces: boxes, ArcFace-template key points and per-person embeddings.</summary>
internal static class Synth
{
    public const int FrameWidth = 1280;
    public const int FrameHeight = 720;
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Point2f[] Template =
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ];

    /// <summary>The frame time of frame <paramref name="index"/> at <paramref name="fps"/>.</summary>
    public static DateTimeOffset At(int index, double fps = 2) => T0 + TimeSpan.FromSeconds(index / fps);

    public static FaceBox Box(float cx, float cy, float size) => new(cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2);

    /// <summary>Template key points mapped into the box; <paramref name="yawShift"/> moves the nose toward an eye (a turned head).</summary>
    public static Point2f[] Keypoints(FaceBox box, float yawShift = 0)
    {
        var kp = Template.Select(p => new Point2f(box.X1 + p.X / 112f * box.Width, box.Y1 + p.Y / 112f * box.Height)).ToArray();
        kp[2].X += yawShift * box.Width;
        return kp;
    }

    /// <summary>A person's identity vector: a fixed random unit vector.</summary>
    public static float[] Person(int seed, int dim = 64)
    {
        var rng = new Random(seed);
        var v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return Embeddings.Normalize(v);
    }

    /// <summary>Another person whose identity vector has exactly <paramref name="cosine"/> with <paramref name="person"/>'s:
    /// a look-alike at a chosen point of the measured impostor (or genuine) distribution.</summary>
    public static float[] LookAlike(float[] person, float cosine, int seed)
    {
        // The unit vector of Person(seed) made orthogonal to person, then mixed in at the wanted angle.
        var other = Person(seed, person.Length);
        float dot = Embeddings.Cosine(other, person);
        var orthogonal = Embeddings.Normalize(other.Select((x, i) => x - dot * person[i]).ToArray());
        float sine = MathF.Sqrt(1 - cosine * cosine);
        return Embeddings.Normalize(person.Select((x, i) => cosine * x + sine * orthogonal[i]).ToArray());
    }

    /// <summary>One sighting of a person: the identity plus noise (cosine to the identity about 0.9).</summary>
    public static float[] Sighting(float[] person, Random rng, float noise = 0.06f)
    {
        var v = new float[person.Length];
        for (int i = 0; i < v.Length; i++) v[i] = person[i] + (float)(rng.NextDouble() * 2 - 1) * noise;
        return Embeddings.Normalize(v);
    }

    public static FaceObservation Face(FaceBox box, float[]? embedding = null, float score = 0.9f, float yawShift = 0) =>
        new(box, score, Keypoints(box, yawShift), embedding);

    public static FrameFaces Frame(DateTimeOffset time, params FaceObservation[] faces) => new(time, FrameWidth, FrameHeight, faces);

    public static TrackerOptions Options(Action<TrackerOptions>? change = null)
    {
        var o = new TrackerOptions();
        change?.Invoke(o);
        return o;
    }

    /// <summary>A face with the synthetic person it belongs to.</summary>
    public readonly record struct Observed(int Person, FaceObservation Face);

    public static FaceTracker Tracker(TrackerOptions? options = null) => new("cam1", options ?? new TrackerOptions(), session: "test");
}
