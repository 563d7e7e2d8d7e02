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
// soak [--minutes 20] [--cameras 4] [--fps 2] [--warm-up 3]: RTSP cameras with faces through the server for a long time, this process's
// memory, file descriptors, ffmpeg children and threads printed every minute, and their slopes per hour at the end.
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
double Num(string name, double fallback) => double.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

if (args.FirstOrDefault() == "soak")
{
    var minutes = Num("--minutes", 20);
    var cameras = Num("--cameras", 4);
    var fps = Num("--fps", 2);
    var warmUp = Num("--warm-up", 3);
    // a soak needs its warm-up minutes and at least two fitted samples; written as "!(in range)" so NaN is refused too
    if (!(warmUp >= 1 && warmUp <= 60 && warmUp == Math.Floor(warmUp)) || !(minutes >= warmUp + 1 && minutes <= 7 * 24 * 60)
        || !(cameras >= 1 && cameras <= 64) || !(fps > 0 && fps <= 30))
    {
        Console.Error.WriteLine("soak: expected --warm-up 1..60 whole minutes, --minutes from warm-up + 1 to 10080, --cameras 1..64, --fps in (0, 30]");
        return 2;
    }
    return await ClusterBenchmark.RunSoakAsync((int)cameras, minutes, fps, (int)warmUp, bool.Parse(Arg("--flip", "false")));
}
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
