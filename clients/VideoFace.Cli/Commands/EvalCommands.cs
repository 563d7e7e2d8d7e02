using System.CommandLine;
using System.Globalization;
using OpenCvSharp;
using VideoFace.Abstractions;
using VideoFace.Datasets.Scenes;
using VideoFace.Vision.Evaluation;

namespace VideoFace.Cli.Commands;

/// <summary>
/// `eval pairs` and `eval bin`: face-verification figures of the configured pipeline; `eval make-scene` and
/// `eval video`: identity accuracy of the camera path over a test video with ground truth.
/// </summary>
internal static class EvalCommands
{
    public static Command Create()
    {
        var eval = new Command("eval", "Measure recognition accuracy on verification data");
        eval.Subcommands.Add(CreatePairs());
        eval.Subcommands.Add(EvalBinCommand.Create());
        eval.Subcommands.Add(CreateMakeScene());
        eval.Subcommands.Add(CreateVideo());
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

    private static Command CreateMakeScene()
    {
        var identities = new Argument<string>("identities") { Description = "Folder of identity sub-folders (one folder of photos per person)" };
        var output = new Argument<string>("out") { Description = "Output folder: scene.mp4, scene.json and enrol/<identity>/*.jpg" };
        var seed = new Option<int>("--seed") { Description = "Seed of every choice (people, photos, positions)", DefaultValueFactory = _ => 1 };
        var enrolPhotos = new Option<int>("--enrol-photos") { Description = "Enrolment photos per enrolled person (never shown in the video)", DefaultValueFactory = _ => 2 };
        var people = new Option<int>("--people") { Description = "Enrolled people shown", DefaultValueFactory = _ => 6 };
        var strangers = new Option<int>("--strangers") { Description = "People shown who are never enrolled", DefaultValueFactory = _ => 3 };
        var cmd = new Command("make-scene", "Build a test video (cuts at one spot, pans, swaps, returns, strangers) with its ground truth")
            { identities, output, seed, enrolPhotos, people, strangers };
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new SceneOptions
            {
                Seed = pr.GetValue(seed), EnrolPhotos = pr.GetValue(enrolPhotos), People = pr.GetValue(people), Strangers = pr.GetValue(strangers),
            };
            if (options.Validate() is { Count: > 0 } problems) throw new UserException(string.Join("; ", problems));
            using var loggers = Cli.Loggers(pr);
            using var analyzer = Cli.Analyzer(pr, loggers);
            // the truth boxes are where the detector puts the face in each photo, carried through the compositing
            FaceLocator locate = photo => analyzer.Analyze(photo, maxFaces: 1) is [var face, ..]
                ? new Rect2f(face.Box.X1, face.Box.Y1, face.Box.Width, face.Box.Height)
                : null;
            var outDir = pr.GetValue(output)!;
            var truth = await new SceneBuilder(options, locate).BuildAsync(pr.GetValue(identities)!, outDir, ct);
            var summary = new
            {
                Video = Path.Combine(outDir, "scene.mp4"),
                Truth = Path.Combine(outDir, "scene.json"),
                truth.Seed,
                truth.Fps,
                truth.Width,
                truth.Height,
                truth.FrameCount,
                Seconds = truth.FrameCount / truth.Fps,
                Enrolled = truth.Enrolment.Select(e => e.Identity).ToList(),
                Strangers = truth.Appearances.Where(a => !a.Enrolled).Select(a => a.Identity).Distinct().ToList(),
                Shots = truth.Shots.Count,
                Appearances = truth.Appearances.Count,
            };
            if (pr.GetValue(GlobalOptions.Json)) Cli.WriteJson(summary);
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{summary.Video}: {truth.Width}x{truth.Height}, {truth.Fps} fps, {truth.FrameCount} frames ({summary.Seconds:0.0} s), {summary.Shots} shots, {summary.Appearances} appearances"));
                Console.WriteLine($"enrolled ({summary.Enrolled.Count}): {string.Join(", ", summary.Enrolled)}");
                Console.WriteLine($"strangers ({summary.Strangers.Count}): {string.Join(", ", summary.Strangers)}");
                Console.WriteLine($"truth: {summary.Truth}");
            }
            return 0;
        });
        return cmd;
    }

    private static Command CreateVideo()
    {
        var path = new Argument<string>("path") { Description = "A scene.json (its video beside it), or a video with --truth" };
        var truthOption = new Option<string?>("--truth") { Description = "The truth file (scene.json format) when PATH is the video" };
        var fps = new Option<double>("--fps") { Description = "Analysis frames per second (the camera default unless given; 0 = every frame)", DefaultValueFactory = _ => new CameraConfig("").AnalysisFps };
        var devices = new Option<string>("--devices") { Description = "Inference devices of the silo: cpu, gpu:0", DefaultValueFactory = _ => "cpu" };
        var nativeRate = new Option<bool>("--native-rate") { Description = "Read the video at its own pace, as a camera plays a file (default: as fast as analysis goes)" };
        var cmd = new Command("video", "Identity accuracy of the camera path (embedded silo, tracker, gallery) over a video with ground truth")
            { path, truthOption, fps, devices, nativeRate };
        cmd.SetAction(async (pr, ct) =>
        {
            var (truth, truthDir, video) = LoadScene(pr.GetValue(path)!, pr.GetValue(truthOption));
            var rate = pr.GetValue(fps);
            if (!(rate >= 0 && rate <= 120)) throw new UserException($"--fps must be 0 to 120 (was {rate})");
            var json = pr.GetValue(GlobalOptions.Json);
            var options = new SceneEvaluationOptions(GlobalOptions.Vision(pr), pr.GetValue(devices)!, rate, pr.GetValue(nativeRate),
                pr.GetValue(GlobalOptions.Verbose));
            var result = await SceneEvaluator.RunAsync(truth, truthDir, video, options, json ? null : m => Console.Error.WriteLine(m), ct);
            if (json) Cli.WriteJson(result);
            else PrintScene(result);
            // a measurement, not a test: bad figures are still a successful run
            return 0;
        });
        return cmd;
    }

    private static (SceneTruth Truth, string TruthDir, string Video) LoadScene(string path, string? truthPath)
    {
        if (!File.Exists(path)) throw new UserException($"not found: {path}");
        bool isJson = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (isJson && truthPath is not null) throw new UserException("--truth is for a video argument; PATH is already a truth file");
        if (!isJson && truthPath is null) throw new UserException("PATH is not a .json truth file: give the video's truth with --truth");
        var file = truthPath ?? path;
        var truth = SceneTruth.Load(file);
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var video = isJson ? SceneEvaluator.ResolveInside(dir, truth.Video) : Path.GetFullPath(path);
        return (truth, dir, video);
    }

    private static void PrintScene(SceneEvaluation r)
    {
        var s = r.Score;
        var inv = CultureInfo.InvariantCulture;
        string Pct(int n, int of) => of == 0 ? "-" : string.Create(inv, $"{100.0 * n / of:0.0} %");
        Console.WriteLine($"video: {r.Video}");
        Console.WriteLine(string.Create(inv, $"analysed {s.FramesAnalysed} frames at {(r.AnalysisFps > 0 ? r.AnalysisFps.ToString("0.##", inv) + " fps" : "every frame")} on {r.Device} ({r.EmbeddingSpace}); enrolled {r.Enrolment.Count(e => e.Used > 0)} of {r.Enrolment.Count}"));
        Console.WriteLine($"tracks:                      {s.Tracks} ({s.TracksWithoutTruth} on no truth face, {s.TracksWithoutIdentity} without identity)");
        Console.WriteLine($"tracks spanning two people:  {s.TracksSpanningPeople} ({s.TracksTouchingPeople} with any face of a second person)");
        Console.WriteLine($"enrolled-person tracks:      {s.EnrolledTracks}: named correctly {s.EnrolledNamedCorrectly} ({Pct(s.EnrolledNamedCorrectly, s.EnrolledTracks)}), wrongly {s.EnrolledNamedWrongly} ({Pct(s.EnrolledNamedWrongly, s.EnrolledTracks)}), left unknown {s.EnrolledLeftUnknown} ({Pct(s.EnrolledLeftUnknown, s.EnrolledTracks)})");
        Console.WriteLine(string.Create(inv, $"enrolled faces named right:  {100 * s.EnrolledFacesNamedCorrectly:0.0} % (face by face, under their track's final name)"));
        Console.WriteLine($"stranger tracks:             {s.StrangerTracks}: given an enrolled name {s.StrangerNamedEnrolled} ({Pct(s.StrangerNamedEnrolled, s.StrangerTracks)}), unknown {s.StrangerLeftUnknown}");
        Console.WriteLine(string.Create(inv, $"stranger faces named:        {100 * s.StrangerFacesNamed:0.0} %"));
        Console.WriteLine(string.Create(inv, $"unknown ids per stranger:    {s.UnknownIdsPerStranger:0.00} (fragmentation; 1 is ideal)"));
        Console.WriteLine(string.Create(inv, $"people per unknown id:       {s.PeoplePerUnknownId:0.00} (purity; 1 is ideal), {s.ImpureUnknownIds} mixed"));
        Console.WriteLine(string.Create(inv, $"appearances covered:         {s.AppearancesCovered} of {s.TruthAppearances}, {s.TracksPerAppearance:0.00} tracks each; face coverage {100 * s.FaceCoverage:0.0} %"));
        Console.WriteLine($"people missed:               {(s.PeopleMissed.Count == 0 ? "none" : string.Join(", ", s.PeopleMissed))} (of {s.TruthPeople})");
        Console.WriteLine(string.Create(inv, $"faces embedded:              {s.FacesEmbedded} of {s.FacesDetected} detected ({s.EmbeddingsPerFace:0.00} per face), {s.EmbeddingsPerVideoSecond:0.00} per second of video"));
        Console.WriteLine(string.Create(inv, $"embeddings per second:       {s.EmbeddingsPerSecond:0.0} ({s.FacesEmbedded} in {s.WallSeconds:0.0} s of wall time)"));
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
