using System.CommandLine;
using VideoFace.Vision.Evaluation;

namespace VideoFace.Cli.Commands;

/// <summary>`eval pairs` and `eval bin`: face-verification figures of the configured pipeline.</summary>
internal static class EvalCommands
{
    public static Command Create()
    {
        var eval = new Command("eval", "Measure recognition accuracy on verification data");
        eval.Subcommands.Add(CreatePairs());
        eval.Subcommands.Add(EvalBinCommand.Create());
        return eval;
    }

    private static Command CreatePairs()
    {
        var path = new Argument<string>("path") { Description = "Folder of identity sub-folders, or an LFW pairs.txt (then --root is the image folder)" };
        var root = new Option<string?>("--root") { Description = "Image folder for a pairs.txt (default: the folder beside it named like it without -pairs.txt, else its own folder)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the impostor-pair draw", DefaultValueFactory = _ => 0 };
        var noFace = new Option<NoFacePolicy>("--no-face") { Description = "Images without a detected face: center (align the central region) or skip (drop their pairs)", DefaultValueFactory = _ => NoFacePolicy.Center };
        var cmd = new Command("pairs", "10-fold verification accuracy, TAR@FAR and AUC on genuine/impostor pairs") { path, root, seed, noFace };
        cmd.SetAction((pr, ct) =>
        {
            var pairs = LoadPairs(pr.GetValue(path)!, pr.GetValue(root), pr.GetValue(seed));
            using var loggers = Cli.Loggers(pr);
            using var analyzer = Cli.Analyzer(pr, loggers);
            var (scored, folds, noFaceCount, failed) = Verification.Score(analyzer, pairs, pr.GetValue(noFace), Cli.Interactive(pr), ct);
            foreach (var f in failed) Console.Error.WriteLine("skipped " + f);
            if (scored.Count < 2 || scored.All(s => s.IsSame) || scored.All(s => !s.IsSame))
                throw new UserException("not enough scored pairs of both kinds to evaluate");
            var report = VerificationMetrics.Compute(scored, folds) with { NoFace = noFaceCount };
            if (pr.GetValue(GlobalOptions.Json)) Cli.WriteJson(Verification.ToJson(report, analyzer.Description));
            else Verification.PrintHuman(report, analyzer.Description);
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static IReadOnlyList<VerificationPair> LoadPairs(string path, string? root, int seed)
    {
        if (File.Exists(path))
        {
            root ??= GuessRoot(path);
            return PairList.ParseLfwPairs(path, root);
        }
        if (!Directory.Exists(path)) throw new UserException($"not found: {path}");
        return PairList.FromIdentityFolders(path, seed);
    }

    private static string GuessRoot(string pairsFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(pairsFile))!;
        var name = Path.GetFileNameWithoutExtension(pairsFile);
        if (name.EndsWith("-pairs", StringComparison.Ordinal) && Directory.Exists(Path.Combine(dir, name[..^6])))
            return Path.Combine(dir, name[..^6]);
        return dir;
    }
}
