using System.Globalization;
using VideoFace.Cluster.Benchmarks;

// Cluster benchmark: one run, side by side, so the shared machine's noise hits both sides of each ratio.
// usage: dotnet run -c Release --project bench/VideoFace.Cluster.Benchmarks
//        [-- --window S] [--slices N] [--capacity-window S] [--max-cameras K] [--people P] [--flip true|false]
//        [--only all|latency] [--latency-cameras N] [--alerts true|false]
// --only latency: sections [3] and [4] alone (no crowd clip, no [1]/[2]); the latency cameras are then --latency-cameras
// (default 1), otherwise as many as [2] sustained, at most --latency-cameras (default 3).
// --only rtsp: the capacity figure through the real server — 720p25 RTSP cameras with faces (decode + analysis + grains +
// index) and decode-only cameras: [--fps 2] [--warm-up 15] [--rtsp-window 60] [--analysed 1,2,4,...] [--decode 4,8,...]
// --alerts false: [3] without alert rules and without the HTTP subscriber of [4].
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
double Num(string name, double fallback) => double.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var only = Arg("--only", "all");
if (only is not ("all" or "latency" or "rtsp"))
{
    Console.Error.WriteLine($"--only {only}: expected 'all', 'latency' or 'rtsp'");
    return 2;
}
int[] Levels(string name, string fallback) => Arg(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
if (only == "rtsp")
    return await ClusterBenchmark.RunRtspAsync(Num("--fps", 2), TimeSpan.FromSeconds(Num("--warm-up", 15)), TimeSpan.FromSeconds(Num("--rtsp-window", 60)),
        Levels("--analysed", "1,2,4,6,8,10,12,16"), Levels("--decode", "4,8,12,16,20,24,32"), bool.Parse(Arg("--flip", "false")));
var settings = new BenchSettings(
    Window: TimeSpan.FromSeconds(Num("--window", 12)), Slices: (int)Num("--slices", 4), CapacityWindow: TimeSpan.FromSeconds(Num("--capacity-window", 12)),
    MaxCameras: (int)Num("--max-cameras", 10), People: (int)Num("--people", 14), Flip: bool.Parse(Arg("--flip", "true")),
    CameraCounts: [1, 2, 4], AnalysisFps: 2, LatencyCameras: (int)Num("--latency-cameras", only == "latency" ? 1 : 3),
    LatencyOnly: only == "latency", Alerts: bool.Parse(Arg("--alerts", "true")));
return await ClusterBenchmark.RunAsync(settings);
