using System.Globalization;
using VideoFace.Benchmarks;

// Vision benchmark: prints ratios measured side by side in one run (see README "Benchmarks").
// usage: dotnet run -c Release --project bench/VideoFace.Benchmarks [-- --seconds S] [--threads N]
// GPU path (bench/gpu-benchmark.sh): -- --gpu [--provider cuda|tensorrt] [--fps 5] [--window 30] [--max-streams 64]
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
if (args.Contains("--gpu"))
    return await GpuStreamsBenchmark.RunAsync(Arg("--provider") ?? "cuda",
        double.Parse(Arg("--fps") ?? "5", CultureInfo.InvariantCulture),
        TimeSpan.FromSeconds(double.Parse(Arg("--window") ?? "30", CultureInfo.InvariantCulture)),
        int.Parse(Arg("--max-streams") ?? "64", CultureInfo.InvariantCulture));
var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(double.Parse).FirstOrDefault(3.0);
var threads = args.SkipWhile(a => a != "--threads").Skip(1).Select(int.Parse).FirstOrDefault(Environment.ProcessorCount);
return VisionBenchmark.Run(TimeSpan.FromSeconds(seconds), threads);
