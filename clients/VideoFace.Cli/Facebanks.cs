using System.CommandLine;
using VideoFace.Vision;
using VideoFace.Vision.Facebank;

namespace VideoFace.Cli;

/// <summary>Where the CLI keeps its facebank, and the default match threshold.</summary>
internal static class Facebanks
{
    /// <summary>
    /// Cosine similarity at which a face is taken as an enrolled person. Chosen from `eval pairs` on the dev faces
    /// (the best single-photo threshold there is about 0.25, impostor pairs average about 0.01; a facebank entry averages several photos, so
    /// matches score higher and a slightly stricter value keeps false names rare).
    /// </summary>
    public const float DefaultThreshold = 0.35f;

    public static readonly Option<float> Threshold = new("--threshold", "-t")
    {
        Description = $"Cosine similarity needed to name a face (default {DefaultThreshold})",
        DefaultValueFactory = _ => DefaultThreshold,
    };

    public static string PathOf(ParseResult pr) => Path.Combine(GlobalOptions.DataDirectory(pr), "facebank.json");

    public static Facebank Load(ParseResult pr, FaceAnalyzer analyzer, bool mustExist)
    {
        var path = PathOf(pr);
        if (mustExist && !File.Exists(path))
            throw new UserException($"no facebank at {path}; enrol faces first with `videoface enroll <dir>`");
        return Facebank.LoadOrCreate(path, analyzer.EmbeddingSpace, analyzer.EmbeddingDimension);
    }

    public static float CheckedThreshold(ParseResult pr)
    {
        var t = pr.GetValue(Threshold);
        if (t is < -1 or > 1) throw new UserException($"--threshold must be a cosine similarity between -1 and 1 (was {t})");
        return t;
    }
}
