using System.CommandLine;
using OpenCvSharp;
using Spectre.Console;
using VideoFace.Datasets.Pickle;
using VideoFace.Vision;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Evaluation;
using VideoFace.Vision.Imaging;

namespace VideoFace.Cli.Commands;

/// <summary>`eval bin`: verification figures on an InsightFace <c>.bin</c> (lfw.bin, cfp_fp.bin, agedb_30.bin, …) of aligned crops.</summary>
internal static class EvalBinCommand
{
    // Crops per embedder call: large enough to batch well, small enough that a 12,000-image set is never decoded at once.
    private const int Batch = 64;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "InsightFace verification .bin: pickled (images, issame), pair k = images 2k and 2k+1" };
        var cmd = new Command("bin", "10-fold verification accuracy, TAR@FAR and AUC on an InsightFace .bin of aligned 112×112 face pairs") { file };
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr, pr.GetValue(file)!, ct)));
        return cmd;
    }

    private static int Run(ParseResult pr, string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new UserException($"file not found: {path}");
        var data = VerificationBin.Read(path);
        int pairs = data.IsSame.Count;
        if (pairs < 2 || data.IsSame.All(s => s) || data.IsSame.All(s => !s))
            throw new UserException($"{path}: {pairs} pairs; verification needs at least one genuine and one impostor pair");

        using var loggers = Cli.Loggers(pr);
        using var analyzer = Cli.Analyzer(pr, loggers);
        var side = analyzer.Embedder.InputSize;
        var embeddings = new float[data.Images.Count][];
        var resized = new List<(int Index, int Width, int Height)>();

        void EmbedAll(Action<int> step)
        {
            for (int start = 0; start < data.Images.Count; start += Batch)
            {
                ct.ThrowIfCancellationRequested();
                int count = Math.Min(Batch, data.Images.Count - start);
                var crops = new List<Mat>(count);
                try
                {
                    for (int i = start; i < start + count; i++) crops.Add(Decode(analyzer, path, data.Images[i], i, side, resized));
                    var batch = analyzer.EmbedAligned(crops);
                    for (int k = 0; k < count; k++) embeddings[start + k] = batch[k].Normed;
                }
                finally
                {
                    foreach (var c in crops) c.Dispose();
                }
                step(count);
            }
        }

        if (Cli.Interactive(pr))
        {
            Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"embedding {data.Images.Count} images", maxValue: data.Images.Count);
                    EmbedAll(n => task.Increment(n));
                });
        }
        else
        {
            EmbedAll(_ => { });
        }

        if (resized.Count > 0)
        {
            var (i, w, h) = resized[0];
            Console.Error.WriteLine($"note: {resized.Count} of {data.Images.Count} images are not {side}×{side} (first: image {i}, {w}×{h}); resized to {side}×{side} before embedding");
        }

        var scored = new List<ScoredPair>(pairs);
        for (int k = 0; k < pairs; k++)
            scored.Add(new ScoredPair(Embeddings.Cosine(embeddings[2 * k], embeddings[2 * k + 1]), data.IsSame[k]));
        // InsightFace's evaluate() splits the pairs in file order into 10 contiguous folds (KFold without shuffle).
        var report = VerificationMetrics.Compute(scored, Math.Min(VerificationMetrics.DefaultFolds, pairs));
        var pipeline = analyzer.EmbeddingSpace + " on the file's aligned crops";
        if (pr.GetValue(GlobalOptions.Json))
        {
            var json = Verification.ToJson(report, pipeline);
            json["resized"] = resized.Count;
            Cli.WriteJson(json);
        }
        else
        {
            Verification.PrintHuman(report, pipeline);
        }
        return 0;
    }

    private static Mat Decode(FaceAnalyzer analyzer, string path, byte[] bytes, int index, int side, List<(int, int, int)> resized)
    {
        Mat image;
        try
        {
            image = analyzer.Decoder.Decode(bytes);
        }
        catch (InvalidImageException ex)
        {
            throw new UserException($"{path}: image {index} (pair {index / 2}) cannot be decoded: {ex.Message}");
        }
        if (image.Cols == side && image.Rows == side) return image;
        // The .bin should already hold aligned crops; a different size is most likely the same crop at another scale.
        resized.Add((index, image.Cols, image.Rows));
        var scaled = new Mat();
        Cv2.Resize(image, scaled, new OpenCvSharp.Size(side, side), interpolation: image.Cols > side ? InterpolationFlags.Area : InterpolationFlags.Linear);
        image.Dispose();
        return scaled;
    }
}
