using System.CommandLine;
using Spectre.Console;
using VideoFace.Vision;
using VideoFace.Vision.Imaging;

namespace VideoFace.Cli.Commands;

/// <summary>`enroll &lt;dir&gt;`: builds the facebank from dir/NAME.jpg or dir/NAME/*.jpg.</summary>
internal static class EnrollCommand
{
    internal static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"];

    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder of NAME.jpg files or NAME/ sub-folders of photos" };
        var replace = new Option<bool>("--replace") { Description = "Start a new local facebank instead of adding to the existing one" };
        var local = new Option<bool>("--local") { Description = "Enrol into the local facebank even when a server is running" };
        var force = new Option<bool>("--force")
        {
            Description = "Server: enrol a person's photos even when some do not look like the others (otherwise that person is refused, naming them)",
        };
        var cmd = new Command("enroll", "Enrol people from a folder of photos: into the running server's gallery, else the local facebank")
        {
            dir, replace, local, force,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            if (!pr.GetValue(local) && !pr.GetValue(replace))
            {
                using var server = ServerClient.For(pr);
                if (ServerClient.Explicit(pr) || await server.IsUpAsync(ct)) return await RunOnServerAsync(pr, server, pr.GetValue(dir)!, pr.GetValue(force), ct);
            }
            return Run(pr, pr.GetValue(dir)!, pr.GetValue(replace), ct);
        });
        return cmd;
    }

    /// <summary>Photos per person: top-level images are one person each; sub-folders hold several photos of one person.</summary>
    internal static SortedDictionary<string, List<string>> Scan(string dir)
    {
        if (!Directory.Exists(dir)) throw new UserException($"folder not found: {dir}");
        var people = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir).Where(IsImage))
            Add(Path.GetFileNameWithoutExtension(f), f);
        foreach (var sub in Directory.EnumerateDirectories(dir))
            foreach (var f in Directory.EnumerateFiles(sub).Where(IsImage))
                Add(Path.GetFileName(sub), f);
        foreach (var list in people.Values) list.Sort(StringComparer.Ordinal);
        return people;

        void Add(string name, string file)
        {
            if (!people.TryGetValue(name, out var list)) people[name] = list = [];
            list.Add(file);
        }
    }

    internal static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static int Run(ParseResult pr, string dir, bool replace, CancellationToken ct)
    {
        var people = Scan(dir);
        if (people.Count == 0) throw new UserException($"no images in {dir} (expected NAME.jpg or NAME/*.jpg)");
        using var loggers = Cli.Loggers(pr);
        using var analyzer = Cli.Analyzer(pr, loggers);
        var bank = replace
            ? new Vision.Facebank.Facebank(analyzer.EmbeddingSpace, analyzer.EmbeddingDimension)
            : Facebanks.Load(pr, analyzer, mustExist: false);
        int total = people.Values.Sum(l => l.Count);
        EnrollReport report = null!;
        if (Cli.Interactive(pr))
        {
            Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("enrolling", maxValue: total);
                    report = EnrollInto(analyzer, bank, people, () => task.Increment(1), ct);
                });
        }
        else
        {
            report = EnrollInto(analyzer, bank, people, () => { }, ct);
        }
        var path = Facebanks.PathOf(pr);
        bank.Save(path);
        report.Facebank = path;
        report.TotalPersons = bank.Count;

        if (pr.GetValue(GlobalOptions.Json))
        {
            Cli.WriteJson(report);
        }
        else
        {
            Console.WriteLine($"Enrolled {report.Persons.Count} people from {total} photos into {path} ({bank.Count} people in the facebank).");
            foreach (var f in report.NoFace) Console.WriteLine($"  no face: {f}");
            foreach (var f in report.SeveralFaces) Console.WriteLine($"  several faces (used the largest): {f}");
            foreach (var e in report.Errors) Console.WriteLine($"  skipped {e.Path}: {e.Error}");
            foreach (var n in report.NotEnrolled) Console.WriteLine($"  not enrolled (no usable photo): {n}");
        }
        return report.Persons.Count > 0 ? 0 : 1;
    }

    /// <summary>Uploads each person's photos to the server's gallery (POST /api/persons).</summary>
    private static async Task<int> RunOnServerAsync(ParseResult pr, ServerClient server, string dir, bool force, CancellationToken ct)
    {
        var people = Scan(dir);
        if (people.Count == 0) throw new UserException($"no images in {dir} (expected NAME.jpg or NAME/*.jpg)");
        var persons = new List<System.Text.Json.JsonElement>();
        var failed = new List<FileError>();
        foreach (var (name, files) in people)
        {
            try
            {
                persons.Add(await server.EnrollAsync(name, files, ct, force));
            }
            // no usable face (400), or photos that do not agree (422): that person is not enrolled, the others go on
            catch (UserException ex) when (ex.Message.StartsWith("server: 400", StringComparison.Ordinal) || ex.Message.StartsWith("server: 422", StringComparison.Ordinal))
            {
                failed.Add(new FileError(name, ex.Message));
            }
        }
        if (pr.GetValue(GlobalOptions.Json))
        {
            Cli.WriteJson(new { server = server.BaseUrl, persons, not_enrolled = failed });
        }
        else
        {
            Console.WriteLine($"Enrolled {persons.Count} people into the gallery of {server.BaseUrl}.");
            foreach (var p in persons) Commands.ClusterCommands.PrintEnrolled(p);
            foreach (var f in failed) Console.WriteLine($"  not enrolled {f.Path}: {f.Error}");
        }
        return persons.Count > 0 ? 0 : 1;
    }

    /// <summary>Embeds every person's photos (largest face each) and enrols those with at least one usable photo.</summary>
    internal static EnrollReport EnrollInto(FaceAnalyzer analyzer, Vision.Facebank.Facebank bank,
        SortedDictionary<string, List<string>> people, Action step, CancellationToken ct)
    {
        var report = new EnrollReport();
        foreach (var (name, files) in people)
        {
            ct.ThrowIfCancellationRequested();
            var embeddings = new List<float[]>();
            var used = new List<string>();
            foreach (var file in files)
            {
                EmbedOne(analyzer, file, report, embeddings, used);
                step();
            }
            if (embeddings.Count == 0)
            {
                report.NotEnrolled.Add(name);
                continue;
            }
            bank.Enroll(name, embeddings, used);
            report.Persons.Add(new EnrolledPerson(name, embeddings.Count));
        }
        return report;
    }

    private static void EmbedOne(FaceAnalyzer analyzer, string file, EnrollReport report, List<float[]> embeddings, List<string> used)
    {
        try
        {
            using var image = analyzer.Decoder.DecodeFile(file);
            var faces = analyzer.Analyze(image);
            if (faces.Count == 0)
            {
                report.NoFace.Add(file);
                return;
            }
            if (faces.Count > 1) report.SeveralFaces.Add(file);
            embeddings.Add(faces[0].NormedEmbedding);
            used.Add(file);
        }
        catch (InvalidImageException ex)
        {
            report.Errors.Add(new FileError(file, ex.Message));
        }
    }

    internal sealed class EnrollReport
    {
        public string Facebank { get; set; } = "";
        public int TotalPersons { get; set; }
        public List<EnrolledPerson> Persons { get; } = [];
        public List<string> NoFace { get; } = [];
        public List<string> SeveralFaces { get; } = [];
        public List<string> NotEnrolled { get; } = [];
        public List<FileError> Errors { get; } = [];
    }

    internal sealed record EnrolledPerson(string Name, int Photos);

    internal sealed record FileError(string Path, string Error);
}
