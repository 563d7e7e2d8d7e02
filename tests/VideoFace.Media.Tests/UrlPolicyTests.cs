using System.Net;
using VideoFace.Media.Health;
using VideoFace.Media.Security;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;
using static VideoFace.Media.Tests.Support.SourceRun;

namespace VideoFace.Media.Tests;

/// <summary>VideoFace:Security's URL policy: which cameras and webhooks the server may reach (issue 10, server-side request forgery).</summary>
public sealed class UrlPolicyTests(MediaClips clips) : IClassFixture<MediaClips>
{
    /// <summary>Camera URLs and paths that must be refused under the default settings, with the rule each must name.</summary>
    public static TheoryData<string, string> HostileCameras => new()
    {
        { "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "link-local" },
        { "http://169.254.170.2/v2/credentials", "link-local" },
        { "http://[fe80::1]/stream", "link-local" },
        { "http://[::ffff:169.254.169.254]/", "link-local" },
        { "http://[64:ff9b::a9fe:a9fe]/", "link-local" },
        { "http://100.100.100.200/latest/meta-data/", "metadata" },
        { "http://168.63.129.16/machine", "metadata" },
        { "http://[fd00:ec2::254]/latest/", "metadata" },
        { "http://127.0.0.1:8080/internal/index.m3u8", "CameraNetworks" },
        { "http://localhost:8080/internal.m3u8", "CameraNetworks" },
        { "http://2130706433/", "CameraNetworks" },
        { "http://0x7f000001/", "CameraNetworks" },
        { "http://[::1]/", "CameraNetworks" },
        { "rtsp://admin:secret@10.0.0.5/stream1", "CameraNetworks" },
        { "rtsps://172.16.3.4/live", "CameraNetworks" },
        { "rtsp://192.168.1.10:554/h264", "CameraNetworks" },
        { "http://100.64.0.1/", "CameraNetworks" },
        { "http://[fd12:3456::1]/", "CameraNetworks" },
        { "http://0.0.0.0:8080/", "listening" },
        { "rtsp://0.0.0.0:8554/live?listen", "listening" },
        { "http://203.0.113.9/?listen=1", "listening" },
        { "http://224.0.0.251/", "multicast" },
        { "udp://0.0.0.0:5000", "CameraSchemes" },
        { "udp://@:5000", "CameraSchemes" },
        { "tcp://0.0.0.0:9000?listen", "CameraSchemes" },
        { "rtmp://203.0.113.9/live", "CameraSchemes" },
        { "srt://203.0.113.9:9000", "CameraSchemes" },
        { "ftp://203.0.113.9/a.mp4", "CameraSchemes" },
        { "gopher://127.0.0.1:6379/_FLUSHALL", "CameraSchemes" },
        { "concat:/etc/passwd|/etc/hosts", "CameraSchemes" },
        { "subfile:,,start,0,end,100,,:/etc/passwd", "CameraSchemes" },
        { "data:text/plain;base64,aGk=", "CameraSchemes" },
        { "file:///etc/passwd", "MediaFolders" },
        { "/etc/passwd", "MediaFolders" },
        { "/proc/self/environ", "MediaFolders" },
        { "../../../../etc/shadow", "MediaFolders" },
        { "/var/lib/videoface/api-key", "MediaFolders" },
        { "http://203.0.113.9/a\n-i /etc/passwd", "control characters" },
    };

    [Theory]
    [MemberData(nameof(HostileCameras))]
    public async Task CheckCamera_HostileUrl_IsRefusedNamingTheRule(string url, string rule)
    {
        var refusal = await new UrlPolicy(new SecurityOptions()).CheckCameraAsync(url);
        Assert.NotNull(refusal);
        Assert.Contains(rule, refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("rtsp://admin:secret@203.0.113.7:554/Streaming/Channels/101")]
    [InlineData("rtsps://203.0.113.7/live")]
    [InlineData("https://[2001:db8::7]/live/index.m3u8")]
    [InlineData("http://198.51.100.20/clip.mp4")]
    public async Task CheckCamera_PublicAddress_IsAllowed(string url) =>
        Assert.Null(await new UrlPolicy(new SecurityOptions()).CheckCameraAsync(url));

    [Theory]
    [InlineData("rtsp://127.0.0.1:8554/live", "127.0.0.0/8")]
    [InlineData("rtsp://192.168.1.10/stream", "192.168.0.0/16")]
    [InlineData("http://localhost/stream.m3u8", "127.0.0.0/8")]
    public async Task CheckCamera_PrivateNetworkListedInCameraNetworks_IsAllowed(string url, string network) =>
        Assert.Null(await new UrlPolicy(new SecurityOptions { CameraNetworks = [network, "::1/128"] }).CheckCameraAsync(url));

    [Fact]
    public async Task CheckCamera_ListedNetworksNeverOpenLinkLocalOrOtherPrivateRanges()
    {
        var policy = new UrlPolicy(new SecurityOptions { CameraNetworks = ["10.0.0.0/8"] });
        Assert.Contains("link-local", (await policy.CheckCameraAsync("http://169.254.169.254/"))!.Message);
        Assert.Contains("CameraNetworks", (await policy.CheckCameraAsync("rtsp://192.168.0.2/"))!.Message);
        Assert.Null(await policy.CheckCameraAsync("rtsp://10.1.2.3/"));
    }

    [Fact]
    public async Task CheckCamera_NameResolvingToAnyRefusedAddress_IsRefused()
    {
        // a name with one public and one metadata address (DNS rebinding sets): every address is checked
        var policy = new UrlPolicy(new SecurityOptions(), resolve: (host, _) =>
            Task.FromResult(host == "cam.example" ? new[] { IPAddress.Parse("203.0.113.5"), IPAddress.Parse("169.254.169.254") } : []));
        Assert.Contains("link-local", (await policy.CheckCameraAsync("rtsp://cam.example/live"))!.Message);
        Assert.Contains("does not resolve", (await policy.CheckCameraAsync("rtsp://other.example/live"))!.Message);
    }

    [Fact]
    public async Task CheckCamera_SchemesNarrowedToRtsp_RefusesHttp()
    {
        var policy = new UrlPolicy(new SecurityOptions { CameraSchemes = ["rtsp"] });
        Assert.Contains("CameraSchemes", (await policy.CheckCameraAsync("http://203.0.113.1/a.m3u8"))!.Message);
        Assert.Null(await policy.CheckCameraAsync("rtsp://203.0.113.1/a"));
    }

    [Fact]
    public async Task CheckCamera_Files_OnlyUnderMediaFoldersAndNeverInTheDataFolderOrThroughALink()
    {
        var media = TestVideos.TempFolder("policy-media");
        var data = Directory.CreateDirectory(Path.Combine(media, "data")).FullName;
        var clip = Path.Combine(media, "clip.mp4");
        File.Copy(clips.Mp4, clip);
        File.WriteAllText(Path.Combine(data, "api-key"), "k");
        var link = Path.Combine(media, "passwd.mp4");
        File.CreateSymbolicLink(link, "/etc/passwd");
        var policy = new UrlPolicy(new SecurityOptions { MediaFolders = [media] }, protectedFolders: [data]);

        Assert.Null(await policy.CheckCameraAsync(clip));
        Assert.Null(await policy.CheckCameraAsync("file://" + clip));
        Assert.Null(await policy.CheckCameraAsync(Path.Combine(media, "not-yet-there.mp4")));
        foreach (var refused in new[] { Path.Combine(data, "api-key"), link, Path.Combine(media, "..", "elsewhere.mp4"), media + "-sibling/clip.mp4", "/etc/passwd" })
            Assert.Contains("MediaFolders", (await policy.CheckCameraAsync(refused))!.Message);
        Directory.Delete(media, recursive: true);
    }

    [Fact]
    public async Task CheckCamera_RefusalIsTheSameWhetherTheTargetExistsOrNot()
    {
        var policy = new UrlPolicy(new SecurityOptions());
        Assert.Equal(await policy.CheckCameraAsync("/etc/passwd"), await policy.CheckCameraAsync("/etc/no-such-file"));
        Assert.Equal((await policy.CheckCameraAsync("http://169.254.169.254/"))!.Rule, (await policy.CheckCameraAsync("http://169.254.1.1/"))!.Rule);
    }

    /// <summary>Webhook targets refused by default.</summary>
    public static TheoryData<string, string> HostileWebhooks => new()
    {
        { "http://127.0.0.1:9/hook", "WebhookNetworks" },
        { "http://localhost/hook", "WebhookNetworks" },
        { "http://[::1]/hook", "WebhookNetworks" },
        { "http://10.1.1.1/hook", "WebhookNetworks" },
        { "http://192.168.0.1/admin", "WebhookNetworks" },
        { "http://169.254.169.254/latest/meta-data/", "link-local" },
        { "http://[::ffff:a9fe:a9fe]/", "link-local" },
        { "http://168.63.129.16/", "metadata" },
        { "http://0.0.0.0/", "unspecified" },
        { "file:///etc/passwd", "http or https" },
        { "ftp://203.0.113.9/", "http or https" },
        { "gopher://203.0.113.9/", "http or https" },
        { "/hook", "http or https" },
    };

    [Theory]
    [MemberData(nameof(HostileWebhooks))]
    public async Task CheckWebhook_HostileUrl_IsRefusedNamingTheRule(string url, string rule)
    {
        var refusal = await new UrlPolicy(new SecurityOptions()).CheckWebhookAsync(url);
        Assert.NotNull(refusal);
        Assert.Contains(rule, refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CheckWebhook_LoopbackListedInWebhookNetworks_IsAllowedButMetadataNever()
    {
        var policy = new UrlPolicy(new SecurityOptions { WebhookNetworks = ["127.0.0.0/8"] });
        Assert.Null(await policy.CheckWebhookAsync("http://127.0.0.1:9/hook"));
        Assert.Null(await policy.CheckWebhookAsync("https://203.0.113.8/hook"));
        Assert.NotNull(await policy.CheckWebhookAsync("http://169.254.169.254/"));
        Assert.NotNull(policy.CheckWebhookAddress(IPAddress.Parse("10.0.0.1")));
    }

    [Theory]
    [InlineData("CameraSchemes", "udp", "not allowed")]
    [InlineData("CameraNetworks", "169.254.0.0/16", "always refused")]
    [InlineData("WebhookNetworks", "0.0.0.0/0", "always refused")]
    [InlineData("WebhookNetworks", "192.168.1", "CIDR")]
    [InlineData("MediaFolders", "videos", "absolute")]
    [InlineData("MediaFolders", "/", "root")]
    public void Validate_BadSetting_NamesTheKey(string key, string value, string message)
    {
        var options = new SecurityOptions();
        (key switch
        {
            "CameraSchemes" => options.CameraSchemes,
            "CameraNetworks" => options.CameraNetworks,
            "WebhookNetworks" => options.WebhookNetworks,
            _ => options.MediaFolders,
        }).Add(value);
        var error = Assert.Single(options.Validate());
        Assert.Contains($"VideoFace:Security:{key}", error);
        Assert.Contains(message, error);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/etc/no-such-file")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    public async Task FrameSource_RefusedInput_FailsBeforeFfmpegStartsWithTheSameMessageWhateverIsThere(string url)
    {
        var policy = new UrlPolicy(new SecurityOptions());
        await using var source = new FfmpegFrameSource(url, Fast(), policy: policy);
        var frames = await ReadAllAsync(source, TimeSpan.FromSeconds(20));
        Assert.Empty(frames);
        Assert.Equal((HealthState.Failed, HealthReason.Refused), (source.Health.State, source.Health.Reason));
        Assert.Equal((await policy.CheckCameraAsync(url))!.Message, source.Health.Message);
        Assert.Empty(source.ProcessIds); // ffmpeg never ran
    }

    [Fact]
    public async Task FrameSource_AllowedFileWithPolicy_Decodes()
    {
        var policy = new UrlPolicy(new SecurityOptions { MediaFolders = [clips.Folder] });
        await using var source = new FfmpegFrameSource(clips.Mp4, Fast(), policy: policy);
        Assert.Equal(100, (await ReadAllAsync(source, TimeSpan.FromSeconds(30))).Count);
    }
}
