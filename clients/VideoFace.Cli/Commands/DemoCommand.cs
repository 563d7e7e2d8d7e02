using System.CommandLine;

namespace VideoFace.Cli.Commands;

/// <summary>
/// `demo`: the seed's facebank + video demo in one command — enrol a few people from the dev faces (the clip's
/// performer among them, from a different photo than the clip), then annotate the clip.
/// </summary>
internal static class DemoCommand
{
    /// <summary>People enrolled by the demo: the clip's performer and others who are not in the clip.</summary>
    internal static readonly string[] DemoPeople =
    [
        "Lin-Manuel_Miranda", "Alex_Lacamoire", "Kit_Harington", "Rose_Leslie", "Barack_Obama", "Joseph_Biden",
        "Tom_Hanks", "Angelina_Jolie", "Colin_Powell", "Jennifer_Aniston", "Serena_Williams", "Tony_Blair",
    ];

    public static Command Create()
    {
        var faces = new Option<string?>("--faces") { Description = "Folder of identity sub-folders to enrol from (default ../shared/data/faces-dev)" };
        var video = new Option<string?>("--video") { Description = "Video to annotate (default the Hamilton clip in ../shared/data/video)" };
        var output = new Option<string?>("--output", "-o") { Description = "Annotated video (default artifacts/demo/annotated.mp4)" };
        var cmd = new Command("demo", "The seed's demo: enrol faces into a facebank, then annotate a video") { faces, video, output, Facebanks.Threshold };
        cmd.SetAction(async (pr, ct) =>
        {
            var repo = RepoRoot();
            var shared = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data"));
            var facesDir = pr.GetValue(faces) ?? Path.Combine(shared, "faces-dev");
            var videoPath = pr.GetValue(video) ?? Path.Combine(shared, "video", "ageitgey-short_hamilton_clip.mp4");
            var outPath = pr.GetValue(output) ?? Path.Combine(repo, "artifacts", "demo", "annotated.mp4");
            if (!Directory.Exists(facesDir)) throw new UserException($"faces folder not found: {facesDir} (pass --faces DIR with NAME/ sub-folders)");
            var threshold = Facebanks.CheckedThreshold(pr);

            var all = EnrollCommand.Scan(facesDir);
            var people = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var name in DemoPeople.Where(all.ContainsKey)) people[name] = all[name];
            if (people.Count == 0) people = new(all.Take(12).ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);

            using var loggers = Cli.Loggers(pr);
            using var analyzer = Cli.Analyzer(pr, loggers);
            Console.WriteLine($"1/2 enrolling {people.Count} people ({people.Values.Sum(v => v.Count)} photos) from {facesDir} with {analyzer.Description}");
            var bank = new Vision.Facebank.Facebank(analyzer.EmbeddingSpace, analyzer.EmbeddingDimension);
            var report = EnrollCommand.EnrollInto(analyzer, bank, people, () => { }, ct);
            var bankPath = Path.Combine(GlobalOptions.DataDirectory(pr), "demo", "facebank.json");
            bank.Save(bankPath);
            Console.WriteLine($"    enrolled {string.Join(", ", report.Persons.Select(p => $"{p.Name} ({p.Photos})"))} → {bankPath}");

            Console.WriteLine($"2/2 annotating {videoPath}");
            var summary = await VideoAnnotator.RunAsync(analyzer, bank, threshold, videoPath, outPath, 1, loggers, null, ct);
            if (pr.GetValue(GlobalOptions.Json)) Cli.WriteJson(summary);
            else VideoAnnotator.PrintHuman(summary);
            Console.WriteLine($"Open {summary.Output} in a video player to watch the result.");
            return 0;
        });
        return cmd;
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VideoFace.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VideoFace.sln"))) return d.FullName;
        return Environment.CurrentDirectory;
    }
}
