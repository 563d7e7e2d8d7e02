using System.Runtime.InteropServices;

namespace VideoFace.Hosting;

/// <summary>
/// Keeps the C library's heap from growing with the number of threads. A silo allocates its native memory (ONNX Runtime
/// tensors, OpenCV images, ffmpeg pipes) from many threads; glibc gives each thread that contends an arena of its own
/// (up to 8 per core) and, once a large block has been freed, serves later large blocks from those arenas instead of
/// mapping them, so freed images stay behind in whichever arena held them. Measured in the soak benchmark: private
/// memory kept rising by ≈ 150 MiB in 12 minutes with the GC heap flat; with two arenas and large blocks always mapped
/// (and given back when freed) it held level. Applied once at start on Linux with glibc; an operator's own
/// <c>GLIBC_TUNABLES</c> or <c>MALLOC_ARENA_MAX</c> takes precedence and turns this off.
/// </summary>
public static class NativeHeap
{
    private const int MTrimThreshold = -1, MMmapThreshold = -3, MArenaMax = -8;

    /// <summary>Arenas for the whole process.</summary>
    public const int ArenaMax = 2;

    /// <summary>Blocks from this size on are mapped on their own and returned to the system when freed.</summary>
    public const int MmapThresholdBytes = 128 * 1024;

    private static int _applied;

    /// <summary>What <see cref="Tune"/> did: applied, left to the operator's environment, or not possible here.</summary>
    public static string Outcome { get; private set; } = "not applied";

    /// <summary>Sets the heap's limits once per process; later calls do nothing.</summary>
    public static void Tune()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        if (!OperatingSystem.IsLinux())
        {
            Outcome = "not Linux";
            return;
        }
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { Length: > 0 } || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
        {
            Outcome = "left to GLIBC_TUNABLES / MALLOC_ARENA_MAX";
            return;
        }
        try
        {
            // mallopt returns 1 on success; setting the thresholds explicitly also stops glibc from raising them
            var ok = Mallopt(MArenaMax, ArenaMax) == 1 & Mallopt(MMmapThreshold, MmapThresholdBytes) == 1 & Mallopt(MTrimThreshold, MmapThresholdBytes) == 1;
            Outcome = ok ? $"{ArenaMax} arenas, blocks ≥ {MmapThresholdBytes / 1024} KiB mapped" : "refused by the C library";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Outcome = "no glibc mallopt (" + ex.GetType().Name + ")";
        }
    }

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mallopt(int param, int value);
}
