using Microsoft.Extensions.Time.Testing;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Tests;

public sealed class FfmpegOutputParserTests
{
    [Theory]
    [InlineData("[tcp @ 0x55] Failed to resolve hostname camera.invalid: Name or service not known", HealthReason.Dns)]
    [InlineData("[tcp @ 0x55] Connection to tcp://127.0.0.1:9?timeout=0 failed: Connection refused", HealthReason.ConnectionRefused)]
    [InlineData("[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized", HealthReason.Unauthorized)]
    [InlineData("[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found", HealthReason.NotFound)]
    [InlineData("[http @ 0x55] HTTP error 404 Not Found", HealthReason.NotFound)]
    [InlineData("/tmp/x.mp4: No such file or directory", HealthReason.NotFound)]
    [InlineData("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found", HealthReason.InvalidData)]
    [InlineData("/tmp/notes.mp4: Invalid data found when processing input", HealthReason.InvalidData)]
    [InlineData("Stream map '0:v:0' matches no streams.", HealthReason.NoVideoStream)]
    [InlineData("[h264 @ 0x55] Device creation failed: -12.", HealthReason.HardwareDecode)]
    [InlineData("Decoder (codec hevc) not found for input stream #0:0", HealthReason.Codec)]
    [InlineData("[rtsp @ 0x55] Connection timed out", HealthReason.Timeout)]
    [InlineData("Press [q] to stop, [?] for help", HealthReason.None)]
    public void Classify_FfmpegErrorLine_NamesTheReason(string line, HealthReason expected) =>
        Assert.Equal(expected, FfmpegOutputParser.Classify(line));

    [Fact]
    public void TryParseShowInfo_FrameLine_GivesIndexPtsAndSize()
    {
        const string line = "[Parsed_showinfo_2 @ 0x5600] n:  12 pts:  43200 pts_time:0.48    pos:  -1 fmt:bgr24 sar:1/1 s:640x360 i:P iskey:0 type:P";
        Assert.True(FfmpegOutputParser.TryParseShowInfo(line, out var meta));
        Assert.Equal(12, meta.Index);
        Assert.Equal(TimeSpan.FromSeconds(0.48), meta.Pts);
        Assert.Equal((640, 360), (meta.Width, meta.Height));
    }

    [Fact]
    public void TryParseShowInfo_NoPts_GivesNullPts()
    {
        const string line = "[Parsed_showinfo_1 @ 0x1] n:   0 pts:NOPTS pts_time:NOPTS pos: -1 fmt:bgr24 sar:1/1 s:320x240 i:P iskey:1 type:I";
        Assert.True(FfmpegOutputParser.TryParseShowInfo(line, out var meta));
        Assert.Null(meta.Pts);
    }

    [Fact]
    public void TryParseInputStream_StreamLine_GivesCodecSizeAndFps()
    {
        const string line = "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 4023 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)";
        Assert.True(FfmpegOutputParser.TryParseInputStream(line, out var info));
        Assert.Equal(new StreamInfo("h264", 1920, 1080, 29.97), info);
    }
}

public sealed class DecodeArgumentsTests
{
    [Fact]
    public void FilterChain_SampledAndDownscaled_SamplesBeforeScalingAndConverting()
    {
        var chain = DecodeArguments.FilterChain(new MediaOptions { AnalysisFps = 2, MaxWidth = 640 });
        Assert.StartsWith("fps=2,scale=", chain);
        Assert.True(chain.IndexOf("fps=", StringComparison.Ordinal) < chain.IndexOf("format=bgr24", StringComparison.Ordinal));
        Assert.EndsWith("format=bgr24,showinfo=checksum=0", chain);
    }

    [Fact]
    public void FilterChain_EveryFrame_HasNoFpsFilter() =>
        Assert.Equal("format=bgr24,showinfo=checksum=0", DecodeArguments.FilterChain(new MediaOptions { AnalysisFps = 0 }));

    [Theory]
    [InlineData(RtspTransport.Tcp, "-rtsp_transport tcp")]
    [InlineData(RtspTransport.Udp, "-rtsp_transport udp")]
    public void Build_Rtsp_SetsTransportAndTimeoutBeforeInput(RtspTransport transport, string expected)
    {
        var args = string.Join(' ', DecodeArguments.Build(MediaLocation.Parse("rtsp://cam/1"), new MediaOptions { RtspTransport = transport }, useCuda: false));
        Assert.True(args.IndexOf(expected, StringComparison.Ordinal) < args.IndexOf("-i ", StringComparison.Ordinal), args);
        Assert.Contains("-timeout 5000000", args);
        Assert.Contains("-f rawvideo", args);
        Assert.EndsWith("pipe:1", args);
        Assert.DoesNotContain("-hwaccel", args);
    }

    [Fact]
    public void Build_WithCuda_AsksForCudaDecoding()
    {
        var args = string.Join(' ', DecodeArguments.Build(MediaLocation.Parse("/tmp/a.mp4"), new MediaOptions(), useCuda: true));
        Assert.Contains("-hwaccel cuda", args);
    }
}

public sealed class MediaLocationTests
{
    [Theory]
    [InlineData("rtsp://10.0.0.5/stream1", MediaKind.Rtsp, true)]
    [InlineData("http://host/live/index.m3u8", MediaKind.Hls, true)]
    [InlineData("https://host/clip.mp4", MediaKind.Http, false)]
    [InlineData("/data/clip.mkv", MediaKind.File, false)]
    [InlineData("srt://host:9000", MediaKind.OtherStream, true)]
    public void Parse_Input_KnowsKindAndLiveness(string input, MediaKind kind, bool live)
    {
        var location = MediaLocation.Parse(input);
        Assert.Equal((kind, live), (location.Kind, location.IsLiveByDefault));
    }

    [Fact]
    public void Redacted_UrlWithPassword_MasksThePassword() =>
        Assert.Equal("rtsp://admin:***@10.0.0.5/s", MediaLocation.Parse("rtsp://admin:secret@10.0.0.5/s").Redacted);
}

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delay_WithoutJitter_DoublesUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0);
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => backoff.Delay(a).TotalSeconds));
    }

    [Fact]
    public void Delay_WithJitter_StaysWithinTheSpreadAndVaries()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0.2, new Random(7));
        var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(3).TotalSeconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 3.2, 4.8));
        Assert.True(delays.Distinct().Count() > 50);
    }

    [Fact]
    public async Task Delay_OnFakeClock_WaitsExactlyThatLong()
    {
        var time = new FakeTimeProvider();
        var delay = new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 0).Delay(2);
        var wait = Task.Delay(delay, time);
        time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}

public sealed class MediaOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new MediaOptions().Validate());

    [Fact]
    public void Defaults_FailingCameraRetried_From2sDoublingTo5MinWith20PercentJitter()
    {
        var o = new MediaOptions();
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), 0.2), (o.ReconnectInitialDelay, o.ReconnectMaxDelay, o.ReconnectJitter));
        Assert.Equal(TimeSpan.FromMinutes(1), o.ReconnectResetAfter);
    }

    [Fact]
    public void Validate_BadValues_NameTheirKeys()
    {
        var errors = new MediaOptions
        {
            AnalysisFps = -1,
            QueueCapacity = 0,
            ReconnectJitter = 1.5,
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(1),
            StallTimeout = TimeSpan.Zero,
            ReconnectResetAfter = TimeSpan.FromSeconds(-1),
        }.Validate();
        foreach (var key in new[] { "Media:AnalysisFps", "Media:QueueCapacity", "Media:ReconnectJitter", "Media:ReconnectMaxDelay", "Media:StallTimeout", "Media:ReconnectResetAfter" })
            Assert.Contains(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void FrameSource_InvalidOptions_ThrowsNamingTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => new FfmpegFrameSource("/tmp/x.mp4", new MediaOptions { QueueCapacity = 0 }));
        Assert.Contains("Media:QueueCapacity", e.Message);
    }
}
