using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;

namespace VideoFace.Operations.Tests;

/// <summary>The embedded web host as `videoface up` runs it, on free ports in a temp data folder, its log lines captured.</summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    private EmbeddedHost(WebApplication app, string folder, int httpPort, LogCapture logs)
    {
        App = app;
        Folder = folder;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public LogCapture Logs { get; }

    /// <summary>A client without a key; use <see cref="Authorized"/> for /api and /metrics.</summary>
    public HttpClient Http { get; }

    public string ApiKey => File.ReadAllText(Path.Combine(DataDirectory, "api-key")).Trim();

    public HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", ApiKey);
        return request;
    }

    public static async Task<EmbeddedHost> StartAsync(string name, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var folder = TestVideos.TempFolder(name);
        var ports = Ports.Free(3);
        var settings = new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(folder, "data"),
            ["VideoFace:SiloName"] = "embedded",
            ["VideoFace:Devices"] = "cpu",
            ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Vision:ModelsDirectory"] = TestData.Models,
            ["Vision:IntraOpThreads"] = "1",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        TestSecurity.Allow(settings); // the RTSP fixture on loopback may be a camera
        var logs = new LogCapture();
        var app = VideoFaceHost.Build([], settings, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        return new EmbeddedHost(app, folder, ports[2], logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Keeps every log line that passed the host's filters: category, level, message.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
