using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VideoFace.Cli.Tests;

/// <summary>`camera preview` through the real program against a stand-in server that answers GET /api/cameras/{id}/preview.</summary>
public sealed class CameraPreviewCommandTests(CliRunner cli) : IClassFixture<CliRunner>, IDisposable
{
    private const string Key = "test-key";
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 0xFF, 0xD9];
    private readonly PreviewServer _server = new();

    [Fact]
    public void CameraPreview_Json_SavesTheFrameAndPrintsItsFaces()
    {
        var file = Path.Combine(cli.Work, "lobby.jpg");
        var r = cli.Run("camera", "preview", "lobby", "-o", file, "--json", "--server", _server.Url, "--api-key", Key);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Jpeg, File.ReadAllBytes(file));
        var json = r.Json;
        Assert.Equal("lobby", json.GetProperty("camera").GetString());
        Assert.Equal(file, json.GetProperty("file").GetString());
        Assert.Equal((640, 480), (json.GetProperty("width").GetInt32(), json.GetProperty("height").GetInt32()));
        var face = Assert.Single(json.GetProperty("faces").EnumerateArray());
        Assert.Equal([101.5f, 80f, 64f, 72.25f], face.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("lobby-s1-3", face.GetProperty("track_id").GetString());
        Assert.Equal("Ada Lovelace", face.GetProperty("identity_name").GetString());
        Assert.False(json.TryGetProperty("image", out _)); // the picture went to the file, not into the output
        Assert.Equal(("/api/cameras/lobby/preview", Key), Assert.Single(_server.Requests));
    }

    [Fact]
    public void CameraPreview_Human_ListsFacesWithTrackAndName()
    {
        var file = Path.Combine(cli.Work, "human.jpg");
        var r = cli.Run("camera", "preview", "lobby", "--output", file, "--server", _server.Url, "--api-key", Key);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("640x480", r.Stdout);
        Assert.Contains("1 face;", r.Stdout);
        Assert.Contains("track lobby-s1-3", r.Stdout);
        Assert.Contains("Ada Lovelace", r.Stdout);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void CameraPreview_UnknownCamera_FailsWithTheServersMessage()
    {
        var file = Path.Combine(cli.Work, "none.jpg");
        var r = cli.Run("camera", "preview", "nope", "-o", file, "--server", _server.Url, "--api-key", Key);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no camera 'nope'", r.Stderr);
        Assert.False(File.Exists(file));
    }

    public void Dispose() => _server.Dispose();

    /// <summary>Answers the preview of camera "lobby" (a 640×480 frame with one named face); any other camera is unknown.</summary>
    private sealed class PreviewServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public PreviewServer()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
            }
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public ConcurrentQueue<(string Path, string? ApiKey)> Requests { get; } = new();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException) { return; }
                var path = context.Request.Url!.AbsolutePath;
                Requests.Enqueue((path, context.Request.Headers["X-Api-Key"]));
                object body = path == "/api/cameras/lobby/preview"
                    ? new
                    {
                        camera = "lobby", captured_at = "2026-03-01T12:00:00+00:00", width = 640, height = 480,
                        image = "data:image/jpeg;base64," + Convert.ToBase64String(Jpeg),
                        faces = new[] { new { box = new[] { 101.5f, 80f, 64f, 72.25f }, score = 0.93f, track_id = "lobby-s1-3", identity_id = "p-1", identity_name = "Ada Lovelace" } },
                    }
                    : new { error = $"no camera '{path.Split('/')[3]}'" };
                context.Response.StatusCode = path == "/api/cameras/lobby/preview" ? 200 : 404;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body));
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }
}
