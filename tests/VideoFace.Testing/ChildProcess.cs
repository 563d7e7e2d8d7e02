using System.Collections.Concurrent;
using System.Diagnostics;

namespace VideoFace.Testing;

/// <summary>A process the test started: output kept for failure messages, killed (with its children) on dispose.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HashSet<int> _orphans = [];

    public ChildProcess(string name, string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        Name = name;
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        Id = _process.Id;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Id { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Processes of this one (itself, ffmpeg children seen so far) still alive; empty after a clean dispose.</summary>
    public IReadOnlyList<int> Leftovers => _orphans.Append(Id).Where(ProcessTable.IsAlive).ToList();

    /// <summary>The last lines the process wrote (stdout and stderr).</summary>
    /// <summary>The lines the process wrote so far (stdout and stderr; the last 400).</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    public string Tail(int lines = 40) => $"--- {Name} (pid {Id}) ---\n" + string.Join('\n', _output.TakeLast(lines));

    /// <summary>SIGKILL, as a crash: no shutdown code runs. Its ffmpeg children are remembered and killed on dispose.</summary>
    public void KillHard()
    {
        foreach (var pid in ProcessTable.Children(Id, "ffmpeg")) _orphans.Add(pid);
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, as `kill` or a container stop sends it: the process runs its shutdown code and exits.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("cannot run kill");
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in ProcessTable.Children(Id, "ffmpeg")) _orphans.Add(pid);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        foreach (var pid in _orphans)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                if (p.ProcessName == "ffmpeg") p.Kill();
            }
            catch (ArgumentException) { } // already gone
            catch (InvalidOperationException) { }
        }
        await Poll.UntilAsync(() => Leftovers.Count == 0, TimeSpan.FromSeconds(10), $"{Name} and its ffmpeg processes are gone");
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }
}
