using OpenCvSharp;

namespace VideoFace.Datasets.Scenes;

/// <summary>What <see cref="SceneBuilder"/> makes: who is cast and the video's geometry.</summary>
public sealed record SceneOptions
{
    /// <summary>Drives every choice (people, photos, positions); the same seed and folder give the same scene.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Photos of each enrolled person used for enrolment (never shown in the video).</summary>
    public int EnrolPhotos { get; init; } = 2;

    /// <summary>Enrolled people shown in the video.</summary>
    public int People { get; init; } = 6;

    /// <summary>People shown who are never enrolled.</summary>
    public int Strangers { get; init; } = 3;

    public int Width { get; init; } = 1280;
    public int Height { get; init; } = 720;
    public double Fps { get; init; } = 25;

    /// <summary>The problems of these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (EnrolPhotos is < 1 or > 20) problems.Add($"enrol photos must be 1 to 20 (was {EnrolPhotos})");
        if (People is < 0 or > 200) problems.Add($"people must be 0 to 200 (was {People})");
        if (Strangers is < 0 or > 200) problems.Add($"strangers must be 0 to 200 (was {Strangers})");
        if (People + Strangers < 2) problems.Add("a scene needs at least 2 people (enrolled plus strangers)");
        if (Width is < 640 or > 3840 || Height is < 360 or > 2160) problems.Add($"size must be 640x360 to 3840x2160 (was {Width}x{Height})");
        if (!(Fps >= 5 && Fps <= 60)) problems.Add($"fps must be 5 to 60 (was {Fps})");
        return problems;
    }
}

/// <summary>Finds the main face of a photo (BGR): its box, or null when the photo has no usable face.</summary>
public delegate Rect2f? FaceLocator(Mat photo);
