using System.CommandLine;
using VideoFace.Cli;
using VideoFace.Cli.Commands;

var root = new RootCommand("VideoFace: face detection, recognition and search over video");
GlobalOptions.AddTo(root);
root.Options.Add(ServerClient.Server);
root.Subcommands.Add(EnrollCommand.Create());
root.Subcommands.Add(IdentifyCommand.Create());
root.Subcommands.Add(AnnotateCommand.Create());
root.Subcommands.Add(EvalCommands.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ProbeCommand.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(ClusterCommands.Camera());
root.Subcommands.Add(ClusterCommands.Person());
root.Subcommands.Add(ClusterCommands.Events());
root.Subcommands.Add(DatasetCommands.Create());
return await Cli.RunAsync(root, args);
