using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Health;
using VideoFace.Media.Output;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

/// <summary>
/// Hostile characters in a camera path or URL reach ffmpeg as one argument: the source is opened as exactly one input,
/// and nothing else is read or written (the attack of issue 10: a quote that added <c>-i /etc/passwd … -y leak.jpg</c>).
/// </summary>
public sealed class ArgumentInjectionTests(MediaClips clips) : IClassFixture<MediaClips>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>File names (one path segment each unless it holds '/') with quotes, spaces, shell syntax, newlines, unicode, options.</summary>
    public static TheoryData<string> HostileNames(string leak) =>
    [
        "clip with spaces.mp4",
        "quote\"inside.mp4",
        "single'quote.mp4",
        "semi;colon && echo owned.mp4",
        "$(touch owned).mp4",
        "`touch owned`.mp4",
        "new\nline\r.mp4",
        "ünïcödé 视频 🎥.mp4",
        "-y.mp4",
        "-i",
        "concat:a.mp4|b.mp4",
        "subfile,,start,0,end,0,,:x.mp4",
        "pipe:1",
        "%d.mp4",
        "back\\slash.mp4",
        $"clip.mp4\" -f tty -i /etc/passwd -map 1:v -frames:v 1 -y {leak} -i \"clip.mp4",
    ];

    public static TheoryData<string> Names => HostileNames("leak.jpg");

    [Theory]
    [MemberData(nameof(Names))]
    public async Task FileSource_HostileName_DecodesThatOneFileAndWritesNothing(string name)
    {
        var folder = TestVideos.TempFolder("inject");
        var leak = Path.Combine(folder, "leak.jpg");
        // the payload, with the leak target inside this test's folder; '/' in it makes real sub-folders
        var path = Path.Combine(folder, name.Replace("leak.jpg", leak, StringComparison.Ordinal).TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(clips.Mp4, path);
        var before = Snapshot(folder);

        await using (var source = new FfmpegFrameSource(path, Fast()))
        {
            var frames = await ReadAllAsync(source, Timeout);
            Assert.Equal(100, frames.Count); // exactly the clip, not /etc/passwd or a second input
            Assert.Equal(HealthReason.EndOfStream, source.Health.Reason);
        }

        Assert.False(File.Exists(leak));
        Assert.Equal(before, Snapshot(folder));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "owned")));
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task FileSource_HostileNameThatDoesNotExist_FailsWithoutOpeningAnythingElse(string name)
    {
        var folder = TestVideos.TempFolder("inject-missing");
        var leak = Path.Combine(folder, "leak.jpg");
        var path = Path.Combine(folder, name.Replace("leak.jpg", leak, StringComparison.Ordinal).TrimStart('/'));

        await using (var source = new FfmpegFrameSource(path, Fast()))
        {
            var frames = await ReadAllAsync(source, Timeout);
            Assert.Empty(frames);
            Assert.Equal(HealthState.Failed, source.Health.State);
        }

        Assert.False(File.Exists(leak));
        Assert.Empty(Snapshot(folder));
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DecodeArguments_HostileName_IsOneFileInputAndTheOnlyOutputIsStdout(string name)
    {
        var path = "/videos/" + name;
        var args = DecodeArguments.Build(MediaLocation.Parse(path), new MediaOptions(), useCuda: false);
        Assert.Single(args, a => a == "-i");
        Assert.Equal("file:" + Path.GetFullPath(path), args[args.ToList().IndexOf("-i") + 1]);
        Assert.Equal("pipe:1", args[^1]);
        Assert.DoesNotContain("-y", args);
        Assert.Equal("file", args[args.ToList().IndexOf("-protocol_whitelist") + 1]);
    }

    /// <summary>URL paths with the same characters: an HTTP server counts what ffmpeg asked for.</summary>
    public static TheoryData<string> UrlPaths =>
    [
        "/clip%22%20-f%20tty%20-i%20/etc/passwd%20-y%20leak.jpg%20-i%20%22.ts",
        "/a%20b;c$(touch%20owned)`id`.ts",
        "/%E8%A7%86%E9%A2%91-%C3%BC.ts",
        "/clip.ts?x=%0A-i%20/etc/passwd",
        "/clip.ts\" -f tty -i /etc/passwd -y leak.jpg -i \"",
        "/clip.ts' -i /etc/shadow '",
        "/ü 视频.ts",
    ];

    [Theory]
    [MemberData(nameof(UrlPaths))]
    public async Task UrlSource_HostileUrl_AsksTheServerForThatOneUrlOnly(string pathAndQuery)
    {
        var folder = TestVideos.TempFolder("inject-url");
        var ts = await TestVideos.H264Async(Path.Combine(folder, "clip.ts"), 160, 120, 25, 2);
        await using var server = await ClipServer.StartAsync(await File.ReadAllBytesAsync(ts));
        var url = $"http://127.0.0.1:{server.Port}{pathAndQuery}";
        var before = Snapshot(folder);

        await using (var source = new FfmpegFrameSource(url, Fast()))
        {
            var frames = await ReadAllAsync(source, Timeout);
            if (server.Requests.IsEmpty) Assert.Empty(frames);
            else Assert.Equal(50, frames.Count); // the clip, once
        }

        // every request ffmpeg made was for the one URL (no second input fetched from anywhere else)
        Assert.True(server.Requests.Distinct().Count() <= 1, string.Join(" | ", server.Requests));
        Assert.Equal(before, Snapshot(folder));
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task VideoWriter_HostileOutputName_WritesThatOneFile(string name)
    {
        var folder = TestVideos.TempFolder("inject-writer");
        var leak = Path.Combine(folder, "leak.jpg");
        var path = Path.Combine(folder, name.Replace("leak.jpg", leak, StringComparison.Ordinal).TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        await using (var writer = FfmpegVideoWriter.Open(path, 64, 48, 10))
        {
            var pixels = new byte[64 * 48 * 3];
            for (var i = 0; i < 5; i++) await writer.WriteAsync(pixels);
            await writer.CompleteAsync();
        }

        Assert.True(File.Exists(path));
        Assert.False(File.Exists(leak));
        Assert.Equal([Path.GetRelativePath(folder, path)], Snapshot(folder));
        await using (var source = new FfmpegFrameSource(path, Fast()))
            Assert.Equal(5, (await ReadAllAsync(source, Timeout)).Count);
        Directory.Delete(folder, recursive: true);
    }

    private static string[] Snapshot(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];

    /// <summary>A loopback HTTP server that answers every GET with the clip and records each request's raw target.</summary>
    private sealed class ClipServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly byte[] _clip;
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        private ClipServer(byte[] clip) => _clip = clip;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentQueue<string> Requests { get; } = new();

        public static Task<ClipServer> StartAsync(byte[] clip)
        {
            var server = new ClipServer(clip);
            server._listener.Start();
            server._loop = Task.Run(server.AcceptAsync);
            return Task.FromResult(server);
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    await using var stream = client.GetStream();
                    using var reader = new StreamReader(stream, leaveOpen: true);
                    var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                    while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 }) { }
                    var parts = requestLine.Split(' ');
                    Requests.Enqueue(parts.Length >= 3 ? string.Join(' ', parts[1..^1]) : requestLine);
                    var header = $"HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nContent-Length: {_clip.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(header), _stop.Token);
                    await stream.WriteAsync(_clip, _stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
            catch (SocketException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
