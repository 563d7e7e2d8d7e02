using System.CommandLine;
using Spectre.Console;

namespace VideoFace.Cli.Commands;

/// <summary>`identify &lt;image&gt;`: every face with its name (or unknown), similarity and box.</summary>
internal static class IdentifyCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Photo to identify faces in" };
        var cmd = new Command("identify", "Name every face in a photo from the facebank") { image, Facebanks.Threshold };
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr, pr.GetValue(image)!)));
        return cmd;
    }

    private static int Run(ParseResult pr, string path)
    {
        var threshold = Facebanks.CheckedThreshold(pr);
        using var loggers = Cli.Loggers(pr);
        using var analyzer = Cli.Analyzer(pr, loggers);
        var bank = Facebanks.Load(pr, analyzer, mustExist: true);
        using var img = analyzer.Decoder.DecodeFile(path);
        var faces = analyzer.Analyze(img).Select(f =>
        {
            var m = bank.Match(f.NormedEmbedding, threshold);
            return new IdentifiedFace(m.Name ?? "unknown", m.Name is not null, MathF.Round(m.Similarity, 4), m.NearestName,
                [MathF.Round(f.Box.X1, 1), MathF.Round(f.Box.Y1, 1), MathF.Round(f.Box.X2, 1), MathF.Round(f.Box.Y2, 1)], MathF.Round(f.Score, 4));
        }).ToList();
        if (pr.GetValue(GlobalOptions.Json))
        {
            Cli.WriteJson(new { image = path, threshold, faces });
            return 0;
        }
        if (faces.Count == 0)
        {
            Console.WriteLine($"No face found in {path}.");
            return 0;
        }
        var table = new Table().AddColumns("#", "name", "similarity", "box (x1, y1, x2, y2)", "detector score");
        for (int i = 0; i < faces.Count; i++)
        {
            var f = faces[i];
            table.AddRow((i + 1).ToString(), Markup.Escape(f.Name), f.Similarity.ToString("0.000"),
                string.Join(", ", f.Box.Select(v => v.ToString("0"))), f.Score.ToString("0.00"));
        }
        Cli.Out.Write(table);
        return 0;
    }

    internal sealed record IdentifiedFace(string Name, bool Known, float Similarity, string? Nearest, float[] Box, float Score);
}
