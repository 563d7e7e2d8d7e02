using System.Globalization;
using VideoFace.Cluster.Benchmarks;

// Cluster benchmark: one run, side by side, so the shared machine's noise hits both sides of each ratio.
// usage: dotnet run -c Release --project bench/VideoFace.Cluster.Benchmarks
//        [-- --window S] [--slices N] [--capacity-window S] [--max-cameras K] [--people P] [--flip true|false]
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
double Num(string name, double fallback) => double.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var settings = new BenchSettings(
    Window: TimeSpan.FromSeconds(Num("--window", 12)), Slices: (int)Num("--slices", 4), CapacityWindow: TimeSpan.FromSeconds(Num("--capacity-window", 12)),
    MaxCameras: (int)Num("--max-cameras", 10), People: (int)Num("--people", 14), Flip: bool.Parse(Arg("--flip", "true")),
    CameraCounts: [1, 2, 4], AnalysisFps: 2, LatencyCameras: 3);
return await ClusterBenchmark.RunAsync(settings);
