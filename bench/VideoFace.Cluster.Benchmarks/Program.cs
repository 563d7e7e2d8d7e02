using System.Globalization;
using VideoFace.Cluster.Benchmarks;

// Cluster benchmark: one run, side by side, so the shared machine's noise hits both sides of each ratio.
// usage: dotnet run -c Release --project bench/VideoFace.Cluster.Benchmarks
//        [-- --window S] [--slices N] [--capacity-window S] [--max-cameras K] [--people P] [--flip true|false]
//        [--only all|latency] [--latency-cameras N] [--alerts true|false]
// --only latency: sections [3] and [4] alone (no crowd clip, no [1]/[2]); the latency cameras are then --latency-cameras
// (default 1), otherwise as many as [2] sustained, at most --latency-cameras (default 3).
// --alerts false: [3] without alert rules and without the HTTP subscriber of [4].
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
double Num(string name, double fallback) => double.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var only = Arg("--only", "all");
if (only is not ("all" or "latency"))
{
    Console.Error.WriteLine($"--only {only}: expected 'all' or 'latency'");
    return 2;
}
var settings = new BenchSettings(
    Window: TimeSpan.FromSeconds(Num("--window", 12)), Slices: (int)Num("--slices", 4), CapacityWindow: TimeSpan.FromSeconds(Num("--capacity-window", 12)),
    MaxCameras: (int)Num("--max-cameras", 10), People: (int)Num("--people", 14), Flip: bool.Parse(Arg("--flip", "true")),
    CameraCounts: [1, 2, 4], AnalysisFps: 2, LatencyCameras: (int)Num("--latency-cameras", only == "latency" ? 1 : 3),
    LatencyOnly: only == "latency", Alerts: bool.Parse(Arg("--alerts", "true")));
return await ClusterBenchmark.RunAsync(settings);
