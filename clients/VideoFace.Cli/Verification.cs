using Spectre.Console;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Evaluation;
using VideoFace.Vision.Imaging;

namespace VideoFace.Cli;

/// <summary>What to do with an image in which no face is found.</summary>
internal enum NoFacePolicy
{
    /// <summary>Align the central region as the face (LFW-style photos are centred), so every pair is scored.</summary>
    Center,
    /// <summary>Leave out the pairs that use the image.</summary>
    Skip,
}

/// <summary>Scores verification pairs: embeds each distinct image once (largest face), then cosine per pair.</summary>
internal static class Verification
{
    public static (List<ScoredPair> Scored, List<int> Folds, int NoFace, List<string> Failed) Score(
        FaceAnalyzer analyzer, IReadOnlyList<VerificationPair> pairs, NoFacePolicy policy, bool interactive, CancellationToken ct)
    {
        var images = pairs.SelectMany(p => new[] { p.PathA, p.PathB }).Distinct(StringComparer.Ordinal).ToList();
        var embeddings = new Dictionary<string, float[]?>(StringComparer.Ordinal);
        int noFace = 0;
        var failed = new List<string>();

        void EmbedAll(Action step)
        {
            foreach (var path in images)
            {
                ct.ThrowIfCancellationRequested();
                embeddings[path] = EmbedLargest(analyzer, path, policy, ref noFace, failed);
                step();
            }
        }

        if (interactive)
        {
            Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"embedding {images.Count} images", maxValue: images.Count);
                    EmbedAll(() => task.Increment(1));
                });
        }
        else
        {
            EmbedAll(() => { });
        }

        var scored = new List<ScoredPair>(pairs.Count);
        var folds = new List<int>(pairs.Count);
        foreach (var p in pairs)
        {
            if (embeddings[p.PathA] is not { } a || embeddings[p.PathB] is not { } b) continue;
            scored.Add(new ScoredPair(Vision.Embedding.Embeddings.Cosine(a, b), p.IsSame));
            folds.Add(p.Fold);
        }
        return (scored, folds, noFace, failed);
    }

    private static float[]? EmbedLargest(FaceAnalyzer analyzer, string path, NoFacePolicy policy, ref int noFace, List<string> failed)
    {
        try
        {
            using var img = analyzer.Decoder.DecodeFile(path);
            var faces = analyzer.Analyze(img, maxFaces: 1);
            if (faces.Count > 0) return faces[0].NormedEmbedding;
            noFace++;
            if (policy == NoFacePolicy.Skip) return null;
            float side = Math.Min(img.Cols, img.Rows) * 0.5f;
            var box = new FaceBox((img.Cols - side) / 2, (img.Rows - side) / 2, (img.Cols + side) / 2, (img.Rows + side) / 2);
            var kps = analyzer.KeypointsOf(img, [new DetectedFace(box, 0)]);
            using var crop = Vision.Alignment.FaceAligner.Align(img, kps[0], analyzer.Embedder.InputSize);
            return analyzer.EmbedAligned([crop])[0].Normed;
        }
        catch (InvalidImageException ex)
        {
            failed.Add($"{path}: {ex.Message}");
            return null;
        }
    }

    /// <summary>The `--json` object of `eval pairs` / `eval bin`, with the exact key names scripts rely on.</summary>
    public static Dictionary<string, object> ToJson(VerificationReport r, string pipeline) => new()
    {
        ["accuracy"] = Math.Round(r.Accuracy, 6),
        ["accuracy_std"] = Math.Round(r.AccuracyStd, 6),
        ["threshold"] = Math.Round(r.Threshold, 6),
        ["tar_at_far_1e-2"] = Math.Round(r.TarAtFar1e2, 6),
        ["tar_at_far_1e-3"] = Math.Round(r.TarAtFar1e3, 6),
        ["auc"] = Math.Round(r.Auc, 6),
        ["pairs"] = r.Pairs,
        ["no_face"] = r.NoFace,
        ["genuine"] = r.Genuine,
        ["impostor"] = r.Impostor,
        ["genuine_mean"] = Math.Round(r.GenuineMean, 6),
        ["impostor_mean"] = Math.Round(r.ImpostorMean, 6),
        ["pipeline"] = pipeline,
    };

    public static void PrintHuman(VerificationReport r, string pipeline)
    {
        Console.WriteLine($"pipeline          {pipeline}");
        Console.WriteLine($"pairs             {r.Pairs} ({r.Genuine} genuine, {r.Impostor} impostor); images without a face: {r.NoFace}");
        Console.WriteLine($"accuracy          {r.Accuracy * 100:0.00} % ± {r.AccuracyStd * 100:0.00} (10-fold, threshold chosen on the other 9)");
        Console.WriteLine($"best threshold    {r.Threshold:0.0000}");
        Console.WriteLine($"TAR @ FAR=1e-2    {r.TarAtFar1e2 * 100:0.00} %");
        Console.WriteLine($"TAR @ FAR=1e-3    {r.TarAtFar1e3 * 100:0.00} %");
        Console.WriteLine($"ROC AUC           {r.Auc:0.00000}");
        Console.WriteLine($"mean similarity   genuine {r.GenuineMean:0.000}, impostor {r.ImpostorMean:0.000}");
    }
}
