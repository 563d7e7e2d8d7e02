using System.Diagnostics;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>This process's CPU time (user + system, all threads) and the machine's load.</summary>
internal static class Cpu
{
    public static TimeSpan Now
    {
        get
        {
            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime;
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}
