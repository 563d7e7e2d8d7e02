using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Grains.Inference;
using VideoFace.Grains.Tracks;
using VideoFace.Pipeline.Sessions;
using VideoFace.Hosting;
using VideoFace.Pipeline;
using VideoFace.Tracking;
using VideoFace.Vision;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>The real embedded silo (VideoFaceHost.Build, SQLite state, memory streams) in this process, in a temp data folder.</summary>
internal sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private EmbeddedSilo(WebApplication app, string data, IReadOnlyDictionary<string, string?> settings)
    {
        _app = app;
        _data = data;
        Settings = settings;
        Batcher = app.Services.GetRequiredService<IInferenceDevices>().Get();
        Sessions = app.Services.GetRequiredService<CameraSessions>();
        Tracks = app.Services.GetRequiredService<TrackPublisher>();
        Trackers = app.Services.GetRequiredService<IFaceTrackerFactory>();
        Loggers = app.Services.GetRequiredService<ILoggerFactory>();
        app.Configuration.GetSection("Inference").Bind(BatcherOptions);
        app.Configuration.GetSection(TrackerOptions.SectionName).Bind(TrackerOptions);
        app.Configuration.GetSection(VisionOptions.SectionName).Bind(VisionOptions);
    }

    public IServiceProvider Services => _app.Services;
    public IReadOnlyDictionary<string, string?> Settings { get; }
    public InferenceBatcher Batcher { get; }
    public CameraSessions Sessions { get; }

    /// <summary>The silo's track publisher: where every session's track notices are stored and named.</summary>
    public TrackPublisher Tracks { get; }
    public IFaceTrackerFactory Trackers { get; }
    public ILoggerFactory Loggers { get; }
    public InferenceBatcherOptions BatcherOptions { get; } = new();
    public TrackerOptions TrackerOptions { get; } = new();
    public VisionOptions VisionOptions { get; } = new();
    public TimeSpan StartTime { get; private set; }

    public static async Task<EmbeddedSilo> StartAsync(string repo, bool flip)
    {
        var data = Directory.CreateTempSubdirectory("videoface-bench-cluster-").FullName;
        var ports = FreePorts(3);
        var settings = new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = data,
            ["VideoFace:SiloPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VideoFace:Devices"] = "cpu",
            ["Vision:ModelsDirectory"] = Path.Combine(repo, "models"),
            ["Vision:FlipAugment"] = flip ? "true" : "false",
            // the capacity figure's cameras are the loopback RTSP server
            ["VideoFace:Security:CameraNetworks:0"] = "127.0.0.0/8",
        };
        var sw = Stopwatch.StartNew();
        // warnings only: the grains log every event at Information, which would bury the table
        var app = VideoFaceHost.Build([], settings, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new EmbeddedSilo(app, data, settings) { StartTime = sw.Elapsed };
    }

    /// <summary>A camera pipeline wired like CameraSessions wires its own, but reading <paramref name="source"/>.</summary>
    public CameraPipeline Pipeline(string cameraId, MemoryFrameSource source) =>
        new(cameraId, source, Batcher, Trackers.Create(cameraId), Sessions, TimeProvider.System, Loggers.CreateLogger<CameraPipeline>());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
