using System.CommandLine;

namespace VideoFace.Cli.Commands;

/// <summary>`dataset …`: the seed's training-data tools.</summary>
internal static class DatasetCommands
{
    public static Command Create()
    {
        var cmd = new Command("dataset", "Training-data tools: align and clean face folders, pack and read MXNet RecordIO as InsightFace uses it");
        foreach (var c in DatasetVisionCommands.Create()) cmd.Subcommands.Add(c);
        foreach (var c in DatasetPackCommands.Create()) cmd.Subcommands.Add(c);
        return cmd;
    }
}
