using System.CommandLine;
using System.Globalization;
using VideoFace.Datasets.Packing;

namespace VideoFace.Cli.Commands;

/// <summary>`dataset pack` and `dataset read`: MXNet RecordIO training sets as InsightFace's arcface_torch reads them.</summary>
internal static class DatasetPackCommands
{
    public static IEnumerable<Command> Create() => [CreatePack(), CreateRead()];

    private static Command CreatePack()
    {
        var dir = new Argument<string>("dir") { Description = "Folder of identity sub-folders with (aligned) face images" };
        var prefix = new Argument<string>("prefix") { Description = "Output prefix: writes PREFIX.rec, PREFIX.idx, PREFIX.lst and 'property' beside them" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality for re-encoding non-JPEG images", DefaultValueFactory = _ => 95 };
        var cmd = new Command("pack", "Pack a folder of identities into MXNet RecordIO (train.rec/.idx) for arcface_torch") { dir, prefix, quality };
        cmd.SetAction((ParseResult pr, CancellationToken ct) =>
        {
            var summary = DatasetPacker.Pack(pr.GetValue(dir)!, pr.GetValue(prefix)!, pr.GetValue(quality), ct);
            if (pr.GetValue(GlobalOptions.Json))
            {
                Cli.WriteJson(new
                {
                    summary.Records,
                    summary.Identities,
                    summary.HeaderRecords,
                    summary.Reencoded,
                    summary.Skipped,
                    summary.ImageHeight,
                    summary.ImageWidth,
                    Rec = summary.RecPath,
                    Idx = summary.IdxPath,
                    Lst = summary.LstPath,
                    Property = summary.PropertyPath,
                });
            }
            else
            {
                foreach (var skipped in summary.Skipped)
                {
                    Console.Error.WriteLine("skipped " + skipped);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"packed {summary.Records} images of {summary.Identities} identities ({summary.ImageHeight}x{summary.ImageWidth}, {summary.Reencoded} re-encoded to JPEG, {summary.Skipped.Count} skipped) into {summary.RecPath}"));
            }

            return Task.FromResult(0);
        });
        return cmd;
    }

    private static Command CreateRead()
    {
        var prefix = new Argument<string>("prefix") { Description = "Dataset prefix: reads PREFIX.rec through PREFIX.idx" };
        var extract = new Option<string?>("--extract") { Description = "Write every image to DIR/<label>/<index>.jpg" };
        var cmd = new Command("read", "List (and optionally extract) the records of a RecordIO face dataset") { prefix, extract };
        cmd.SetAction((ParseResult pr, CancellationToken ct) =>
        {
            var extractDir = pr.GetValue(extract);
            var contents = DatasetReader.Read(pr.GetValue(prefix)!, extractDir, ct);
            if (pr.GetValue(GlobalOptions.Json))
            {
                Cli.WriteJson(new
                {
                    contents.Records,
                    contents.Identities,
                    contents.HeaderRecords,
                    contents.Layout,
                    contents.Classes,
                    contents.Extracted,
                    ExtractDir = extractDir is null ? null : Path.GetFullPath(extractDir),
                });
            }
            else
            {
                Console.WriteLine("index\tlabel\tid\tbytes");
                foreach (var e in contents.Entries)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Index}\t{e.Label}\t{e.Id}\t{e.JpegLength}"));
                }

                var classes = contents.Classes is { } c ? string.Create(CultureInfo.InvariantCulture, $", property says {c} classes") : "";
                var extracted = extractDir is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; extracted {contents.Extracted} images to {extractDir}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{contents.Records} records, {contents.Identities} identities ({contents.Layout} layout{classes}){extracted}"));
            }

            return Task.FromResult(0);
        });
        return cmd;
    }
}
