using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using VideoFace.Hosting;
using VideoFace.Media.Security;
using VideoFace.Testing;

namespace VideoFace.Alerts.Tests;

/// <summary>An embedded host with the default VideoFace:Security settings (only its own clip folder is a media folder).</summary>
public sealed class StrictHostFixture : IAsyncLifetime
{
    public string Folder { get; } = TestVideos.TempFolder("url-policy");
    public WebApplication? Host { get; private set; }
    public WebApplication? Receiver { get; private set; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public int ReceiverPort { get; private set; }

    /// <summary>Requests the loopback receiver got, by path.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public async Task InitializeAsync()
    {
        var ports = Ports.Free(4);
        var inv = CultureInfo.InvariantCulture;
        Host = VideoFaceHost.Build([], new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(Folder, "data"),
            ["VideoFace:Devices"] = "cpu", // camera grains live only on silos with a device
            ["VideoFace:SiloPort"] = ports[0].ToString(inv),
            ["VideoFace:GatewayPort"] = ports[1].ToString(inv),
            ["VideoFace:HttpPort"] = ports[2].ToString(inv),
            ["VideoFace:Security:MediaFolders:0"] = Folder,
            ["Vision:ModelsDirectory"] = TestData.Models,
        }, builder => builder.Logging.ClearProviders());
        await Host.StartAsync();
        Http.BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}");
        Http.DefaultRequestHeaders.Add("X-Api-Key", File.ReadAllText(Path.Combine(Folder, "data", "api-key")).Trim());

        ReceiverPort = ports[3];
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{ReceiverPort}");
        Receiver = builder.Build();
        Receiver.MapPost("/hook", () => { Received.Enqueue("/hook"); return Results.Ok(); });
        // a public-looking receiver that sends the alert on to an internal address
        Receiver.MapPost("/redirect", () => { Received.Enqueue("/redirect"); return Results.Redirect($"http://127.0.0.1:{ReceiverPort}/internal", permanent: false, preserveMethod: true); });
        Receiver.MapPost("/internal", () => { Received.Enqueue("/internal"); return Results.Ok(); });
        await Receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.StopAsync();
            await Host.DisposeAsync();
        }
        if (Receiver is not null) await Receiver.DisposeAsync();
        Http.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Issue 10's server-side request forgery attempts against the real embedded host: each is a 400 naming the rule.</summary>
public sealed class UrlPolicyApiTests(StrictHostFixture fx) : IClassFixture<StrictHostFixture>
{
    public static TheoryData<string, string> HostileCameraUrls()
    {
        var data = new TheoryData<string, string>
        {
            { "http://169.254.169.254/latest/meta-data/", "link-local" },
            { "http://[fe80::1]:8080/", "link-local" },
            { "http://100.100.100.200/latest/meta-data/", "metadata" },
            { "http://127.0.0.1:8080/internal/index.m3u8", "VideoFace:Security:CameraNetworks" },
            { "rtsp://admin:pw@localhost:8554/live", "VideoFace:Security:CameraNetworks" },
            { "rtsp://192.168.1.64/Streaming/Channels/101", "VideoFace:Security:CameraNetworks" },
            { "udp://0.0.0.0:5000", "VideoFace:Security:CameraSchemes" },
            { "tcp://0.0.0.0:9000?listen", "VideoFace:Security:CameraSchemes" },
            { "rtsp://0.0.0.0:8554/x?listen", "listening" },
            { "file:///etc/passwd", "VideoFace:Security:MediaFolders" },
            { "/etc/passwd", "VideoFace:Security:MediaFolders" },
            { "concat:/etc/passwd|/etc/hosts", "VideoFace:Security:CameraSchemes" },
            { "x.mp4\" -f tty -i /etc/passwd -map 1:v -frames:v 1 -y leak.jpg -i \"x.mp4", "VideoFace:Security:MediaFolders" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileCameraUrls))]
    public async Task PutCamera_RefusedUrl_Is400NamingTheRuleAndNothingIsAdded(string url, string rule)
    {
        using var r = await fx.Http.PutAsJsonAsync("/api/cameras/hostile", new { url });
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(rule, body, StringComparison.OrdinalIgnoreCase);
        using var list = await fx.Http.GetAsync("/api/cameras");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode); // still serving
        Assert.DoesNotContain("hostile", await list.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PutCamera_DataFolderFiles_AreRefusedEvenInsideAMediaFolder()
    {
        foreach (var file in new[] { "api-key", "state.db", "blobs/thumbnails/x.jpg" })
        {
            using var r = await fx.Http.PutAsJsonAsync("/api/cameras/hostile", new { url = Path.Combine(fx.Folder, "data", file) });
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("MediaFolders", await r.Content.ReadAsStringAsync());
        }
    }

    public static TheoryData<string, string> HostileWebhookUrls => new()
    {
        { "http://127.0.0.1:9/hook", "VideoFace:Security:WebhookNetworks" },
        { "http://localhost/hook", "VideoFace:Security:WebhookNetworks" },
        { "http://10.0.0.1/hook", "VideoFace:Security:WebhookNetworks" },
        { "http://169.254.169.254/latest/meta-data/", "link-local" },
        { "http://[::ffff:169.254.169.254]/", "link-local" },
        { "ftp://203.0.113.9/hook", "http(s)" },
    };

    [Theory]
    [MemberData(nameof(HostileWebhookUrls))]
    public async Task AddAndEditRule_RefusedWebhook_Is400NamingTheRule(string url, string rule)
    {
        using (var r = await fx.Http.PostAsJsonAsync("/api/alerts/rules", new { id = "hook-rule", kind = "unknown", webhook_url = url, webhook_secret = "s" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains(rule, await r.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        using (var ok = await fx.Http.PostAsJsonAsync("/api/alerts/rules", new { id = "edit-hook", kind = "unknown" }))
            Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());
        using (var r = await fx.Http.PutAsJsonAsync("/api/alerts/rules/edit-hook", new { kind = "unknown", webhook_url = url, webhook_secret = "s" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains(rule, await r.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        var rules = await fx.Http.GetStringAsync("/api/alerts/rules");
        Assert.DoesNotContain(url.Replace("/", "\\u002F", StringComparison.Ordinal), rules);
        Assert.DoesNotContain("hook-rule", rules);
    }

    private static readonly Alert Sample = new("a1", 1, "r1", "rule", "C1", "p1", "Ada", "t1",
        DateTimeOffset.UnixEpoch, 0.9f, null, IdentityEventKind.Appeared);

    private static AlertOptions Once => new() { WebhookRetries = 1, WebhookFirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task WebhookSender_LoopbackNotAllowed_RefusesAtConnectAndNothingArrives()
    {
        using var sender = new AlertWebhookSender(Once, NullLogger<AlertWebhookSender>.Instance, policy: new UrlPolicy(new SecurityOptions()));
        var before = fx.Received.Count;
        var result = await sender.SendAsync(Sample, new AlertWebhook($"http://127.0.0.1:{fx.ReceiverPort}/hook", "s"), CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Contains("WebhookNetworks", result.Error);
        Assert.Equal(before, fx.Received.Count);
    }

    [Fact]
    public async Task WebhookSender_RedirectToInternalAddress_IsNotFollowed()
    {
        var policy = new UrlPolicy(new SecurityOptions { WebhookNetworks = ["127.0.0.1/32"] });
        using var sender = new AlertWebhookSender(Once, NullLogger<AlertWebhookSender>.Instance, policy: policy);
        var result = await sender.SendAsync(Sample, new AlertWebhook($"http://127.0.0.1:{fx.ReceiverPort}/redirect", "s"), CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, result.Status);
        Assert.Contains("/redirect", fx.Received);
        Assert.DoesNotContain("/internal", fx.Received);

        var direct = await sender.SendAsync(Sample, new AlertWebhook($"http://127.0.0.1:{fx.ReceiverPort}/hook", "s"), CancellationToken.None);
        Assert.True(direct.Delivered, direct.Error); // the allowed network still gets its alerts
    }

    [Fact]
    public async Task Camera_Credentials_AreRedactedInAnswersAndKeptWhenTheRedactedUrlComesBack()
    {
        const string url = "rtsp://admin:s3cret-pw@203.0.113.10:554/Streaming/Channels/101";
        using (var r = await fx.Http.PutAsJsonAsync("/api/cameras/door", new { url, enabled = false }))
        {
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, text);
            Assert.DoesNotContain("s3cret", text);
            Assert.Contains("admin:***@203.0.113.10", text);
        }
        var list = await fx.Http.GetStringAsync("/api/cameras");
        var one = await fx.Http.GetStringAsync("/api/cameras/door");
        Assert.DoesNotContain("s3cret", list + one);

        // the dashboard edits a camera by sending back what it was shown: the password stays
        using (var r = await fx.Http.PutAsJsonAsync("/api/cameras/door", new { url = "rtsp://admin:***@203.0.113.10:554/Streaming/Channels/101", enabled = false, name = "Door" }))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        var grains = fx.Host!.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(url, (await grains.GetGrain<ICameraGrain>("door").GetStatusAsync()).Config!.Url);
        using (var r = await fx.Http.DeleteAsync("/api/cameras/door")) Assert.True(r.IsSuccessStatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void DataFolder_IsOwnerOnly()
    {
        var data = Path.Combine(fx.Folder, "data");
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(data));
        var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "api-key");
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("state", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True((File.GetUnixFileMode(f) & ~PrivateFiles.FileMode) == 0, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.All(Directory.EnumerateDirectories(data, "*", SearchOption.AllDirectories),
            d => Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(d)));
    }
}
