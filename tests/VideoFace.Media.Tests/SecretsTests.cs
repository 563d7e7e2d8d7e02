using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Media.Security;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

/// <summary>Camera credentials never appear in logs, health messages or redacted URLs.</summary>
public sealed class SecretsTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@cam.local:554/Streaming/Channels/101", "rtsp://admin:***@cam.local:554/Streaming/Channels/101")]
    [InlineData("rtsps://admin:p%40ss:w0rd@10.0.0.5/live", "rtsps://admin:***@10.0.0.5/live")]
    [InlineData("http://user:pw@host/stream.m3u8?token=abc123&x=1", "http://user:***@host/stream.m3u8?token=***&x=1")]
    [InlineData("https://host/live.m3u8?password=pw&Signature=zz", "https://host/live.m3u8?password=***&Signature=***")]
    [InlineData("rtsp://admin@cam/stream", "rtsp://admin@cam/stream")]
    [InlineData("rtsp://:pw@cam/stream", "rtsp://:***@cam/stream")]
    [InlineData("/videos/clip.mp4", "/videos/clip.mp4")]
    [InlineData("error opening rtsp://admin:s3cret@cam/x: 401 Unauthorized", "error opening rtsp://admin:***@cam/x: 401 Unauthorized")]
    public void RedactUrl_Credentials_AreMasked(string url, string expected)
    {
        Assert.Equal(expected, Secrets.RedactUrl(url));
        Assert.Equal(expected, Secrets.RedactUrl(expected)); // idempotent
    }

    [Fact]
    public void IsRedactedFormOf_TheMaskedUrl_IsRecognised()
    {
        const string stored = "rtsp://admin:s3cret@cam/stream";
        Assert.True(Secrets.IsRedactedFormOf("rtsp://admin:***@cam/stream", stored));
        Assert.False(Secrets.IsRedactedFormOf(stored, stored));
        Assert.False(Secrets.IsRedactedFormOf("rtsp://admin:***@other/stream", stored));
    }

    [Fact]
    public void MediaLocation_Redacted_MasksThePassword() =>
        Assert.Equal("rtsp://admin:***@cam/x", MediaLocation.Parse("rtsp://admin:s3cret@cam/x").Redacted);

    [Fact]
    public async Task FrameSource_UrlWithPassword_NeverLogsOrReportsIt()
    {
        var port = Ports.Free(1)[0]; // nothing listens there
        var logs = new CapturingLogger();
        var options = Fast();
        options.MaxReconnectAttempts = 0;
        await using (var source = new FfmpegFrameSource($"rtsp://admin:s3cret-pw@127.0.0.1:{port}/live?token=t0ken", options, logs))
        {
            await ReadAllAsync(source, TimeSpan.FromSeconds(30));
            Assert.Contains("admin:***@", source.Source);
            Assert.All(source.HealthHistory, h => Assert.DoesNotContain("s3cret", h.Message ?? ""));
        }
        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("admin:***@", StringComparison.Ordinal)); // the ffmpeg command line was logged, masked
        Assert.DoesNotContain(logs.Lines, l => l.Contains("s3cret", StringComparison.Ordinal) || l.Contains("t0ken", StringComparison.Ordinal));
    }

    private sealed class CapturingLogger : ILogger<FfmpegFrameSource>
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception) + " " + exception);
    }
}
