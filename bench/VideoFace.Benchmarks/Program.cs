using VideoFace.Benchmarks;

// Vision benchmark: prints ratios measured side by side in one run (see README "Benchmarks").
// usage: dotnet run -c Release --project bench/VideoFace.Benchmarks [-- --seconds S] [--threads N]
var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(double.Parse).FirstOrDefault(3.0);
var threads = args.SkipWhile(a => a != "--threads").Skip(1).Select(int.Parse).FirstOrDefault(Environment.ProcessorCount);
return VisionBenchmark.Run(TimeSpan.FromSeconds(seconds), threads);
