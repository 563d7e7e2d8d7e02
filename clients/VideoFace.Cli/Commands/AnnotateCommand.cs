using System.CommandLine;

namespace VideoFace.Cli.Commands;

/// <summary>`annotate &lt;video&gt; -o &lt;out&gt;`: the seed's demo on any video.</summary>
internal static class AnnotateCommand
{
    public static readonly Option<int> Every = new("--every")
    {
        Description = "Analyse every Nth frame and keep its labels in between (1 = every frame)",
        DefaultValueFactory = _ => 1,
    };

    public static Command Create()
    {
        var video = new Argument<string>("video") { Description = "Video file or stream URL" };
        var output = new Option<string>("--output", "-o") { Description = "Annotated video to write (mp4)", Required = true };
        var cmd = new Command("annotate", "Draw boxes, names and similarity bars on a video (black boxes for unknown faces)")
        {
            video, output, Facebanks.Threshold, Every,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var threshold = Facebanks.CheckedThreshold(pr);
            using var loggers = Cli.Loggers(pr);
            using var analyzer = Cli.Analyzer(pr, loggers);
            var bank = Facebanks.Load(pr, analyzer, mustExist: false);
            if (bank.Count == 0) Console.Error.WriteLine("note: the facebank is empty, every face will be unknown (enrol with `videoface enroll <dir>`)");
            var summary = await VideoAnnotator.RunAsync(analyzer, bank, threshold, pr.GetValue(video)!, pr.GetValue(output)!,
                pr.GetValue(Every), loggers, null, ct);
            if (pr.GetValue(GlobalOptions.Json)) Cli.WriteJson(summary);
            else VideoAnnotator.PrintHuman(summary);
            return 0;
        });
        return cmd;
    }
}
