using System.Globalization;

namespace VideoFace.Testing;

/// <summary>Reads Linux /proc to check for leftover child processes.</summary>
public static class ProcessTable
{
    /// <summary>Live (non-zombie) processes whose parent is <paramref name="parentPid"/> and whose name is <paramref name="name"/>.</summary>
    public static IReadOnlyList<int> Children(int parentPid, string name)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { } s && s.ParentPid == parentPid && s.Name == name && s.State != 'Z') found.Add(pid);
        }
        return found;
    }

    /// <summary>Whether the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { State: not 'Z' and not 'X' };

    /// <summary>User+system CPU time of the process so far (from /proc/PID/stat), or null when gone.</summary>
    public static TimeSpan? CpuTime(int pid) => Stat(pid) is { } s ? TimeSpan.FromSeconds((s.UserTicks + s.SystemTicks) / 100.0) : null;

    private sealed record ProcStat(string Name, char State, int ParentPid, long UserTicks, long SystemTicks);

    private static ProcStat? Stat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // "pid (comm) state ppid ..."; comm may contain spaces, so split around the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var rest = text[(close + 2)..].Split(' ');
        // fields after comm: [0]=state [1]=ppid ... [11]=utime [12]=stime (clock ticks, 100 Hz on Linux)
        return new ProcStat(text[(open + 1)..close], rest[0][0],
            int.Parse(rest[1], CultureInfo.InvariantCulture),
            long.Parse(rest[11], CultureInfo.InvariantCulture),
            long.Parse(rest[12], CultureInfo.InvariantCulture));
    }
}
