using System.Globalization;
using VideoFace.Media.Benchmarks;

// Media benchmark: decode throughput through IFrameSource vs bare ffmpeg on the same files, and how many
// 720p RTSP cameras at 2 analysis fps this machine sustains. One run, side by side, so noise cancels.
// usage: dotnet run -c Release --project bench/VideoFace.Media.Benchmarks [-- --max-cameras N] [--window S] [--fps 2]
double Arg(string name, double fallback) =>
    args.SkipWhile(a => a != name).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

var folder = Path.Combine(Path.GetTempPath(), "videoface-bench-media");
Directory.CreateDirectory(folder);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {(File.Exists("/dev/nvidiactl") ? "NVIDIA GPU present" : "no GPU")}");
var clips = await Clips.MakeAsync(folder);
await DecodeBenchmark.RunAsync(clips);
await DecodeBenchmark.RunSampledAsync(clips, Arg("--fps", 2));
if (Arg("--max-cameras", 24) > 0)
    await CameraBenchmark.RunAsync(clips.Hd720Rtsp, (int)Arg("--max-cameras", 24), TimeSpan.FromSeconds(Arg("--window", 8)));
