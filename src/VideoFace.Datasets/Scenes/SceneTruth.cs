using System.Text.Json;
using System.Text.Json.Serialization;

namespace VideoFace.Datasets.Scenes;

/// <summary>
/// The ground truth of a test scene (<c>scene.json</c>): the video's geometry, who is enrolled with which photos, and for
/// every frame each visible face's box and identity. Paths are relative to the folder of the JSON file.
/// </summary>
public sealed record SceneTruth
{
    /// <summary>Format version; readers refuse others.</summary>
    public int Version { get; init; } = 1;

    public int Seed { get; init; }

    /// <summary>The video, relative to the truth file's folder.</summary>
    public string Video { get; init; } = "scene.mp4";

    public double Fps { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int FrameCount { get; init; }

    /// <summary>Each enrolled identity and its enrolment photos (relative paths); none of them is shown in the video.</summary>
    public IReadOnlyList<SceneEnrolment> Enrolment { get; init; } = [];

    /// <summary>The scene's script, shot by shot (for people reading the truth; scoring uses <see cref="Frames"/>).</summary>
    public IReadOnlyList<SceneShot> Shots { get; init; } = [];

    /// <summary>Each continuous appearance of one photo of one person.</summary>
    public IReadOnlyList<SceneAppearance> Appearances { get; init; } = [];

    /// <summary>One entry per video frame, in order; index i is frame i (pts = i / fps).</summary>
    public IReadOnlyList<SceneFrame> Frames { get; init; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    /// <summary>Reads and checks a truth file; a malformed one is an <see cref="InvalidDataException"/> naming the problem.</summary>
    public static SceneTruth Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"truth file not found: {path}", path);
        SceneTruth? truth;
        try
        {
            truth = JsonSerializer.Deserialize<SceneTruth>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a scene truth file: {ex.Message}", ex);
        }
        if (truth is null) throw new InvalidDataException($"{path} is empty");
        var problems = truth.Validate();
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", problems)}");
        return truth;
    }

    /// <summary>What is wrong with this truth (empty when it is consistent).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Version != 1) problems.Add($"version {Version} is not supported (1 is)");
        if (!(Fps > 0) || !double.IsFinite(Fps) || Fps > 1000) problems.Add($"fps must be in (0, 1000] (was {Fps})");
        if (Width is < 1 or > 16384 || Height is < 1 or > 16384) problems.Add($"size {Width}x{Height} is out of range");
        if (Frames is null || Enrolment is null || Appearances is null || Shots is null)
        {
            problems.Add("frames, enrolment, appearances and shots must not be null");
            return problems;
        }
        if (FrameCount != Frames.Count) problems.Add($"frame_count {FrameCount} but {Frames.Count} frames listed");
        var appearances = new HashSet<int>();
        foreach (var a in Appearances)
        {
            if (a is null || string.IsNullOrEmpty(a.Identity)) { problems.Add("an appearance without an identity"); continue; }
            if (!appearances.Add(a.Id)) problems.Add($"appearance {a.Id} listed twice");
        }
        for (int i = 0; i < Frames.Count && problems.Count < 20; i++)
        {
            var f = Frames[i];
            if (f is null || f.Faces is null) { problems.Add($"frame {i} has no face list"); continue; }
            if (f.Index != i) problems.Add($"frame {i} has index {f.Index}");
            foreach (var face in f.Faces)
            {
                if (face?.Box is not { Length: 4 } b) { problems.Add($"frame {i}: a face without a 4-number box"); continue; }
                if (!(b[2] > 0 && b[3] > 0 && b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= Width + 0.5 && b[1] + b[3] <= Height + 0.5))
                    problems.Add($"frame {i}: box [{string.Join(", ", b)}] is not inside the {Width}x{Height} frame");
                if (string.IsNullOrEmpty(face.Identity)) problems.Add($"frame {i}: a face without an identity");
                if (!appearances.Contains(face.Appearance)) problems.Add($"frame {i}: unknown appearance {face.Appearance}");
            }
        }
        foreach (var e in Enrolment)
        {
            if (e is null || string.IsNullOrEmpty(e.Identity) || e.Photos is null || e.Photos.Count == 0)
                problems.Add("an enrolment entry without identity or photos");
            // the names become gallery persons: keep them to what the API accepts as a name
            else if (e.Identity.Length > 200 || e.Identity.Any(char.IsControl))
                problems.Add("an enrolment identity is longer than 200 characters or holds control characters");
            else if (e.Photos.Count > 100) problems.Add($"{e.Identity}: more than 100 enrolment photos");
        }
        return problems;
    }
}

/// <summary>An enrolled identity: the photos to enrol (relative paths) and the source files they were copied from.</summary>
public sealed record SceneEnrolment(string Identity, IReadOnlyList<string> Photos, IReadOnlyList<string> Sources);

/// <summary>One shot of the script: its kind (cut, pan, swap), frames [Start, End) and who is in it.</summary>
public sealed record SceneShot(string Kind, int StartFrame, int EndFrame, IReadOnlyList<string> Identities, bool Return);

/// <summary>One person shown with one photo over frames [StartFrame, EndFrame).</summary>
/// <param name="Photo">The source photo's file name (within its identity folder).</param>
/// <param name="Return">The person was already shown earlier in the scene.</param>
public sealed record SceneAppearance(int Id, string Identity, bool Enrolled, string Photo, int StartFrame, int EndFrame, int Shot, bool Return);

/// <summary>The faces visible in one frame.</summary>
public sealed record SceneFrame(int Index, IReadOnlyList<SceneFace> Faces);

/// <summary>A visible face: its box [x, y, width, height] in pixels, who it is and whether that person is enrolled.</summary>
public sealed record SceneFace(int Appearance, string Identity, bool Enrolled, float[] Box);
