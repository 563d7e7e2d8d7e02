using System.CommandLine;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using Spectre.Console;
using VideoFace.Vision;
using VideoFace.Vision.Alignment;
using VideoFace.Vision.Clustering;
using VideoFace.Vision.Imaging;

namespace VideoFace.Cli.Commands;

/// <summary>`dataset align` and `dataset clean`: the vision-backed training-data tools (largest face → 112×112 crop; label-noise cleaning by Chinese whispers).</summary>
internal static class DatasetVisionCommands
{
    /// <summary>Side of the ArcFace template crop that arcface_torch trains on.</summary>
    internal const int AlignedSide = 112;

    /// <summary>
    /// Default edge threshold of `dataset clean`, for the default pack (impostor cosines average ≈ 0.01, genuine ≈ 0.64; the
    /// best single verification threshold on the 680 dev pairs is 0.25). Clustering wants fewer false edges than verification:
    /// one edge above the threshold can pull an intruder into the main cluster, while a genuine photo stays as long as it has one
    /// edge to any other photo of its person. On 60 dev identities (4 photos + 1 intruder each) 0.25 and 0.30 both flag all 60
    /// intruders and no genuine photo; 0.20 lets 5 intruders in, 0.35 flags 1 genuine photo, 0.45 flags 5. Hence 0.30.
    /// Other recognisers have other similarity scales: set --threshold near their best verification threshold (`eval pairs`).
    /// </summary>
    internal const double DefaultCleanThreshold = 0.30;

    public static IEnumerable<Command> Create() => [CreateAlign(), CreateClean()];

    private static Option<int> ParallelOption() =>
        new("--parallel") { Description = "Images processed at once; ONNX Runtime threads are split between them unless --threads is set", DefaultValueFactory = _ => 2 };

    private static Command CreateAlign()
    {
        var input = new Argument<string>("in") { Description = "Folder of identity sub-folders: in/<identity>/<image>" };
        var output = new Argument<string>("out") { Description = "Output folder: out/<identity>/<stem>.jpg (or .png), 112×112 ArcFace-aligned" };
        var png = new Option<bool>("--png") { Description = "Write lossless PNG instead of JPEG" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality", DefaultValueFactory = _ => 95 };
        var parallel = ParallelOption();
        var cmd = new Command("align", "Align the largest face of every image to the 112×112 ArcFace template, per identity") { input, output, png, quality, parallel };
        cmd.SetAction((pr, ct) => Task.FromResult(RunAlign(pr, pr.GetValue(input)!, pr.GetValue(output)!, pr.GetValue(png), pr.GetValue(quality), CheckedParallel(pr, parallel), ct)));
        return cmd;
    }

    private static Command CreateClean()
    {
        var dir = new Argument<string>("dir") { Description = "Folder of identity sub-folders (photos, or already aligned 112×112 crops)" };
        var threshold = new Option<double>("--threshold")
        {
            Description = $"Cosine similarity at or above which two images are linked (default {DefaultCleanThreshold}, for the default pack)",
            DefaultValueFactory = _ => DefaultCleanThreshold,
        };
        var moveTo = new Option<string?>("--move-to") { Description = "Move suspected noise into DIR/<identity>/ instead of only reporting it" };
        var parallel = ParallelOption();
        var cmd = new Command("clean", "Flag images that are not the identity's main person (Chinese whispers over embeddings, largest cluster kept)") { dir, threshold, moveTo, parallel };
        cmd.SetAction((pr, ct) =>
        {
            var t = pr.GetValue(threshold);
            if (!(t > -1 && t < 1)) throw new UserException($"--threshold must be a cosine similarity in (-1, 1) (was {t})");
            return Task.FromResult(RunClean(pr, pr.GetValue(dir)!, t, pr.GetValue(moveTo), CheckedParallel(pr, parallel), ct));
        });
        return cmd;
    }

    private static int CheckedParallel(ParseResult pr, Option<int> option)
    {
        var n = pr.GetValue(option);
        if (n < 1 || n > 256) throw new UserException($"--parallel must be between 1 and 256 (was {n})");
        return n;
    }

    // ---------------------------------------------------------------- align

    private static int RunAlign(ParseResult pr, string inDir, string outDir, bool png, int quality, int parallel, CancellationToken ct)
    {
        if (quality is < 1 or > 100) throw new UserException($"--quality must be between 1 and 100 (was {quality})");
        var identities = ScanIdentities(inDir);
        if (Path.GetFullPath(inDir).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar))
            throw new UserException("the output folder must differ from the input folder");

        var jobs = new List<(string Source, string Target)>();
        var ext = png ? ".png" : ".jpg";
        foreach (var (identity, files) in identities)
        {
            var dir = Path.Combine(outDir, identity);
            Directory.CreateDirectory(dir);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in files)
            {
                // a.jpg and a.png in one folder would both become a.jpg; keep the second apart rather than overwrite the first.
                var stem = Path.GetFileNameWithoutExtension(f);
                if (!used.Add(stem)) used.Add(stem = stem + "_" + Path.GetExtension(f).TrimStart('.'));
                jobs.Add((f, Path.Combine(dir, stem + ext)));
            }
        }

        using var loggers = Cli.Loggers(pr);
        using var analyzer = CreateAnalyzer(pr, loggers, parallel);
        var outcomes = new AlignOutcome[jobs.Count];
        WithProgress(pr, "aligning", jobs.Count, step => ForEachParallel(jobs.Count, parallel, ct, i =>
        {
            outcomes[i] = AlignOne(analyzer, jobs[i].Source, jobs[i].Target, png, quality);
            step();
        }));

        var report = new AlignReport
        {
            Identities = identities.Count,
            Images = jobs.Count,
            Aligned = outcomes.Count(o => o.Kind == AlignKind.Aligned),
            SeveralFaces = outcomes.Count(o => o.SeveralFaces),
            NoFace = jobs.Where((_, i) => outcomes[i].Kind == AlignKind.NoFace).Select(j => j.Source).ToList(),
            Errors = Enumerable.Range(0, jobs.Count).Where(i => outcomes[i].Kind == AlignKind.Error).Select(i => new FileError(jobs[i].Source, outcomes[i].Error!)).ToList(),
            Output = Path.GetFullPath(outDir),
        };

        if (pr.GetValue(GlobalOptions.Json))
        {
            Cli.WriteJson(report);
        }
        else
        {
            Console.WriteLine($"{report.Images} images of {report.Identities} identities: {report.Aligned} aligned to {AlignedSide}×{AlignedSide} into {report.Output}, "
                              + $"{report.NoFace.Count} without a face, {report.Errors.Count} errors ({report.SeveralFaces} had several faces; the largest was used).");
            foreach (var f in report.NoFace) Console.WriteLine($"  no face: {f}");
            foreach (var e in report.Errors) Console.WriteLine($"  skipped {e.Path}: {e.Error}");
        }
        return report.Aligned > 0 ? 0 : 1;
    }

    private static AlignOutcome AlignOne(FaceAnalyzer analyzer, string source, string target, bool png, int quality)
    {
        try
        {
            using var image = analyzer.Decoder.DecodeFile(source);
            var faces = analyzer.Detect(image);
            if (faces.Count == 0) return new AlignOutcome(AlignKind.NoFace);
            var largest = faces.MaxBy(f => f.Box.Area)!;
            var keypoints = analyzer.KeypointsOf(image, [largest]);
            using var crop = FaceAligner.Align(image, keypoints[0], AlignedSide);
            // Encode in memory and write with .NET so non-ASCII paths work (OpenCV's imwrite does not handle them everywhere).
            var prms = png ? Array.Empty<ImageEncodingParam>() : [new ImageEncodingParam(ImwriteFlags.JpegQuality, quality)];
            Cv2.ImEncode(png ? ".png" : ".jpg", crop, out var bytes, prms);
            File.WriteAllBytes(target, bytes);
            return new AlignOutcome(AlignKind.Aligned, faces.Count > 1);
        }
        catch (Exception ex) when (ex is InvalidImageException or OpenCVException)
        {
            return new AlignOutcome(AlignKind.Error, Error: WithoutPath(ex.Message, source));
        }
    }

    private enum AlignKind { Aligned, NoFace, Error }

    private readonly record struct AlignOutcome(AlignKind Kind, bool SeveralFaces = false, string? Error = null);

    private sealed class AlignReport
    {
        public int Identities { get; init; }
        public int Images { get; init; }
        public int Aligned { get; init; }
        public int SeveralFaces { get; init; }
        public List<string> NoFace { get; init; } = [];
        public List<FileError> Errors { get; init; } = [];
        public string Output { get; init; } = "";
    }

    // ---------------------------------------------------------------- clean

    private static int RunClean(ParseResult pr, string dir, double threshold, string? moveTo, int parallel, CancellationToken ct)
    {
        var identities = ScanIdentities(dir);
        var items = identities.SelectMany(kv => kv.Value.Select(f => (Identity: kv.Key, Path: f))).ToList();

        using var loggers = Cli.Loggers(pr);
        using var analyzer = CreateAnalyzer(pr, loggers, parallel);
        var outcomes = new EmbedOutcome[items.Count];
        WithProgress(pr, "embedding", items.Count, step => ForEachParallel(items.Count, parallel, ct, i =>
        {
            outcomes[i] = EmbedOne(analyzer, items[i].Path);
            step();
        }));

        var report = new CleanReport
        {
            Identities = identities.Count,
            Images = items.Count,
            Threshold = threshold,
            Embedded = outcomes.Count(o => o.Embedding is not null),
            AlignedInput = outcomes.Count(o => o.Direct),
            NoFace = items.Where((_, i) => outcomes[i] is { Embedding: null, Error: null }).Select(x => x.Path).ToList(),
            Errors = Enumerable.Range(0, items.Count).Where(i => outcomes[i].Error is not null).Select(i => new FileError(items[i].Path, outcomes[i].Error!)).ToList(),
        };

        var options = new ChineseWhispersOptions(Threshold: threshold);
        foreach (var (identity, _) in identities)
        {
            var idx = Enumerable.Range(0, items.Count).Where(i => items[i].Identity == identity && outcomes[i].Embedding is not null).ToList();
            if (idx.Count == 0) continue;
            var labels = ChineseWhispers.Cluster(idx.Select(i => outcomes[i].Embedding!).ToList(), options);
            var sizes = labels.GroupBy(l => l).Select(g => g.Count()).OrderDescending().ToList();
            var summary = new IdentityClusters(identity, idx.Count, sizes.Count, sizes[0], []);
            report.PerIdentity.Add(summary);
            // With no unique largest cluster the folder's main person is unknown; flagging either side would be a guess.
            if (sizes.Count > 1 && sizes[0] == sizes[1])
            {
                report.Ambiguous.Add(identity);
                continue;
            }
            var keep = ChineseWhispers.LargestCluster(labels);
            for (int k = 0; k < idx.Count; k++)
                if (labels[k] != keep) summary.Flagged.Add(items[idx[k]].Path);
            report.Flagged.AddRange(summary.Flagged);
        }

        if (moveTo is not null)
        {
            var flagged = report.Flagged.ToHashSet(StringComparer.Ordinal);
            foreach (var (identity, path) in items.Where(x => flagged.Contains(x.Path)))
            {
                var target = FreeName(Path.Combine(moveTo, identity), Path.GetFileName(path));
                File.Move(path, target);
                report.Moved.Add(new MovedFile(path, target));
            }
        }

        if (pr.GetValue(GlobalOptions.Json))
        {
            Cli.WriteJson(report);
        }
        else
        {
            Console.WriteLine($"{report.Images} images of {report.Identities} identities ({report.AlignedInput} already aligned crops): "
                              + $"{report.Flagged.Count} suspected of showing another person (threshold {threshold}), "
                              + $"{report.NoFace.Count} without a face, {report.Errors.Count} errors.");
            foreach (var c in report.PerIdentity.Where(c => c.Flagged.Count > 0))
            {
                Console.WriteLine($"  {c.Identity}: kept {c.Kept} of {c.Images} ({c.Clusters} clusters)");
                foreach (var f in c.Flagged) Console.WriteLine($"    flagged: {f}");
            }
            foreach (var a in report.Ambiguous) Console.WriteLine($"  {a}: no single largest cluster, nothing flagged; check by eye");
            foreach (var m in report.Moved) Console.WriteLine($"  moved {m.From} -> {m.To}");
            foreach (var f in report.NoFace) Console.WriteLine($"  no face: {f}");
            foreach (var e in report.Errors) Console.WriteLine($"  skipped {e.Path}: {e.Error}");
        }
        return 0;
    }

    private static EmbedOutcome EmbedOne(FaceAnalyzer analyzer, string path)
    {
        try
        {
            using var image = analyzer.Decoder.DecodeFile(path);
            // An already aligned dataset (the output of `dataset align`, or an extracted .rec) has nothing left to detect.
            if (image.Cols == analyzer.Embedder.InputSize && image.Rows == analyzer.Embedder.InputSize)
                return new EmbedOutcome(analyzer.EmbedAligned([image])[0].Normed, Direct: true);
            var faces = analyzer.Analyze(image, maxFaces: 1);
            return new EmbedOutcome(faces.Count == 0 ? null : faces[0].NormedEmbedding);
        }
        catch (Exception ex) when (ex is InvalidImageException or OpenCVException)
        {
            return new EmbedOutcome(null, Error: WithoutPath(ex.Message, path));
        }
    }

    private static string FreeName(string dir, string fileName)
    {
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, fileName);
        for (int n = 1; File.Exists(target); n++)
            target = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(fileName)}-{n}{Path.GetExtension(fileName)}");
        return target;
    }

    private readonly record struct EmbedOutcome(float[]? Embedding, bool Direct = false, string? Error = null);

    private sealed record IdentityClusters(string Identity, int Images, int Clusters, int Kept, List<string> Flagged);

    private sealed record MovedFile(string From, string To);

    private sealed class CleanReport
    {
        public int Identities { get; init; }
        public int Images { get; init; }
        public int Embedded { get; init; }
        public int AlignedInput { get; init; }
        public double Threshold { get; init; }
        public List<string> Flagged { get; } = [];
        public List<string> NoFace { get; init; } = [];
        public List<FileError> Errors { get; init; } = [];
        public List<string> Ambiguous { get; } = [];
        public List<MovedFile> Moved { get; } = [];
        public List<IdentityClusters> PerIdentity { get; } = [];
    }

    // ---------------------------------------------------------------- shared

    private sealed record FileError(string Path, string Error);

    // The decoder prefixes its messages with the file; the reports already pair each error with its path.
    private static string WithoutPath(string message, string path) =>
        message.StartsWith($"'{path}': ", StringComparison.Ordinal) ? message[(path.Length + 4)..] : message;

    /// <summary>Images per identity sub-folder, sorted; other files (lists, thumbnails' databases) are ignored by extension.</summary>
    private static SortedDictionary<string, List<string>> ScanIdentities(string dir)
    {
        if (!Directory.Exists(dir)) throw new UserException($"folder not found: {dir}");
        var identities = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            var files = Directory.EnumerateFiles(sub).Where(EnrollCommand.IsImage).Order(StringComparer.Ordinal).ToList();
            if (files.Count > 0) identities[Path.GetFileName(sub)] = files;
        }
        if (identities.Count == 0) throw new UserException($"no images in {dir} (expected {dir}/<identity>/<image>)");
        return identities;
    }

    private static FaceAnalyzer CreateAnalyzer(ParseResult pr, ILoggerFactory loggers, int parallel)
    {
        var options = GlobalOptions.Vision(pr);
        // Each concurrent image runs its own ONNX Runtime calls; with all cores per call, N images would oversubscribe the CPU N times.
        if (pr.GetValue(GlobalOptions.Threads) is null) options.IntraOpThreads = Math.Max(1, Environment.ProcessorCount / parallel);
        return FaceAnalyzer.Create(options, loggers);
    }

    private static void WithProgress(ParseResult pr, string label, int total, Action<Action> work)
    {
        if (!Cli.Interactive(pr))
        {
            work(() => { });
            return;
        }
        Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{label} {total} images", maxValue: total);
                work(() => task.Increment(1)); // ProgressTask locks internally, so workers may call this concurrently
            });
    }

    /// <summary>Parallel.For with a bounded degree whose failures surface as the original exception (so the CLI reports it as one line).</summary>
    private static void ForEachParallel(int count, int parallel, CancellationToken ct, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, body);
        }
        catch (AggregateException ae) when (ae.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Throw(ae.InnerExceptions[0]);
        }
    }
}
