using VideoFace.Hosting;

namespace VideoFace.Operations.Tests;

/// <summary>The C library's heap limits a silo sets at start (see <see cref="NativeHeap"/>).</summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void Tune_OnLinuxWithGlibc_SetsTheArenaAndMappingLimits_Once()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativeHeap.Tune();
        var first = NativeHeap.Outcome;
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { Length: > 0 } || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
            Assert.StartsWith("left to", first);
        else
            Assert.Equal($"{NativeHeap.ArenaMax} arenas, blocks ≥ {NativeHeap.MmapThresholdBytes / 1024} KiB mapped", first);
        NativeHeap.Tune();
        Assert.Equal(first, NativeHeap.Outcome);

        // the process still allocates and frees large native blocks normally with the limits in place
        for (int i = 0; i < 64; i++)
        {
            var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(4 * 1024 * 1024);
            System.Runtime.InteropServices.Marshal.WriteByte(block, 4 * 1024 * 1024 - 1, 1);
            Assert.Equal(1, System.Runtime.InteropServices.Marshal.ReadByte(block, 4 * 1024 * 1024 - 1));
            System.Runtime.InteropServices.Marshal.FreeHGlobal(block);
        }
    }
}
