using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace VideoFace.Testing;

/// <summary>
/// A real RTSP server on loopback (GStreamer's rtsp-server through Debian's python3-gi) serving an H.264 mp4
/// in a loop. It can be stopped and restarted on the same port (camera drop) or frozen (stalled camera).
/// </summary>
public sealed partial class RtspServer : IAsyncDisposable
{
    /// <summary>Debian's interpreter: it has the gi bindings, unlike a pyenv python on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    private readonly string _clip;
    private readonly string _path;
    private readonly string? _user;
    private readonly string? _password;
    private Process? _process;

    public RtspServer(string clipPath, int? port = null, string path = "/cam", string? user = null, string? password = null)
    {
        _clip = clipPath;
        _path = path;
        _user = user;
        _password = password;
        Port = port ?? FreeTcpPort();
    }

    public int Port { get; }

    /// <summary>rtsp://127.0.0.1:PORT/PATH, without credentials.</summary>
    public Uri Url => new($"rtsp://127.0.0.1:{Port}{_path}");

    /// <summary>The URL with the given credentials in it.</summary>
    public Uri UrlWithCredentials(string user, string password) => new($"rtsp://{user}:{password}@127.0.0.1:{Port}{_path}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Process id of the server (python), for freezing it.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Starts the server and waits until its port accepts connections.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning) return;
        var script = Path.Combine(AppContext.BaseDirectory, "rtsp", "serve.py");
        var info = new ProcessStartInfo(Python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { script, "--file", _clip, "--port", Port.ToString(CultureInfo.InvariantCulture), "--path", _path })
            info.ArgumentList.Add(a);
        if (_user is not null)
        {
            info.ArgumentList.Add("--user");
            info.ArgumentList.Add(_user);
            info.ArgumentList.Add("--password");
            info.ArgumentList.Add(_password ?? "");
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the RTSP server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAcceptingAsync(timeout ?? TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    /// <summary>Kills the server: clients see their connection drop, new ones are refused.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        if (!process.HasExited)
        {
            Signal(process.Id, SigCont); // a frozen process must run to die cleanly
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }

    /// <summary>Stops and starts again on the same port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but no packet flows, as with a hung camera.</summary>
    public void Freeze()
    {
        if (_process is { HasExited: false } p) Signal(p.Id, SigStop);
    }

    /// <summary>Lets a frozen server run again (SIGCONT).</summary>
    public void Thaw()
    {
        if (_process is { HasExited: false } p) Signal(p.Id, SigCont);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>A TCP port on loopback that is free right now.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is not { HasExited: false })
                throw new InvalidOperationException($"the RTSP server exited ({_process?.ExitCode}); are python3-gi and gir1.2-gst-rtsp-server-1.0 installed?");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    private static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int sig);
}
