using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;

namespace VideoFace.Operations.Tests;

/// <summary>
/// The embedded host with a real RTSP camera showing a face: /metrics (Prometheus text, behind the API key) has the
/// stage counters and they move; the default log is quiet about Orleans and Polly internals and has one line per
/// camera state change.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    private const string Camera = "door";
    private RtspServer _rtsp = null!;
    private EmbeddedHost _host = null!;

    public async Task InitializeAsync()
    {
        var folder = TestVideos.TempFolder("ops-metrics-video");
        var video = await FaceVideo.CreateAsync(Path.Combine(folder, "face.mp4"), [TestData.Face("Tony_Blair", 2)]);
        _rtsp = new RtspServer(video);
        await _rtsp.StartAsync();
        _host = await EmbeddedHost.StartAsync("ops-metrics");
        using var put = _host.Authorized(HttpMethod.Put, $"/api/cameras/{Camera}");
        put.Content = JsonContent.Create(new { url = _rtsp.Url.ToString(), fps = 4 });
        using var r = await _host.Http.SendAsync(put);
        r.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _rtsp.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_WithoutKey_401()
    {
        using var r = await _host.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
    }

    [Fact]
    public async Task Metrics_CameraRunning_StageCountersMove()
    {
        string text = "";
        double first = 0;
        await Poll.UntilAsync(() =>
        {
            text = ScrapeAsync().GetAwaiter().GetResult();
            first = Value(text, "videoface_camera_frames_sampled", Camera);
            return first > 0 && Value(text, "videoface_camera_faces", Camera) > 0 && Value(text, "videoface_gallery_matches", Camera) > 0
                   && Value(text, "videoface_camera_tracks_open", Camera) >= 1;
        }, TimeSpan.FromSeconds(60), "frames sampled, faces, a gallery match and an open track on the camera (the face stays in view)");

        foreach (var name in new[]
                 {
                     "videoface_camera_frames_decoded", "videoface_camera_frames_dropped", "videoface_camera_reconnects",
                     "videoface_camera_tracks_started", "videoface_camera_tracks_open", "videoface_camera_streaming", "videoface_inference_detect_duration",
                     "videoface_inference_embed_duration", "videoface_inference_batch_fill", "videoface_identity_events",
                     "videoface_index_upserts", "videoface_blobs_written", "videoface_track_latency",
                 })
            Assert.True(text.Contains(name, StringComparison.Ordinal), $"{name} missing from /metrics:\n{text}");
        Assert.Matches(@"(?m)^orleans_", text);
        await File.WriteAllTextAsync(Path.Combine(_host.Folder, "metrics.txt"), text); // kept beside the data, for reading

        // the counters move while the camera streams
        await Poll.UntilAsync(() => Value(ScrapeAsync().GetAwaiter().GetResult(), "videoface_camera_frames_sampled", Camera) > first,
            TimeSpan.FromSeconds(30), "frames sampled to grow between scrapes");
    }

    [Fact]
    public async Task Log_Default_NoOrleansOrPollyInternals_OneLinePerCameraStateChange()
    {
        await Poll.UntilAsync(() => _host.Logs.Lines.Any(l => l.Message.Contains($"Camera {Camera}: Connecting -> Streaming", StringComparison.Ordinal)
                                                            || l.Message.Contains($"Camera {Camera}: Stopped -> Streaming", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the camera's state line");
        // more grain calls (placement of new activations) and HTTP requests
        for (var i = 0; i < 5; i++)
        {
            using var list = _host.Authorized(HttpMethod.Get, "/api/cameras");
            (await _host.Http.SendAsync(list)).Dispose();
        }
        var internals = _host.Logs.Lines.Where(l => l.Level < LogLevel.Warning &&
            (l.Category.StartsWith("Polly", StringComparison.Ordinal) || l.Category.StartsWith("Orleans", StringComparison.Ordinal)
             || l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))).ToList();
        Assert.True(internals.Count == 0, string.Join('\n', internals.Take(10)));
        var stateLines = _host.Logs.Lines.Where(l => l.Message.StartsWith($"Camera {Camera}: ", StringComparison.Ordinal) && l.Message.Contains(" -> ", StringComparison.Ordinal)).ToList();
        // each line is a change: no two consecutive lines name the same target state
        Assert.All(stateLines.Zip(stateLines.Skip(1)), p => Assert.NotEqual(p.First.Message.Split(" -> ")[1].Split(' ')[0], p.Second.Message.Split(" -> ")[1].Split(' ')[0]));
    }

    private async Task<string> ScrapeAsync()
    {
        using var request = _host.Authorized(HttpMethod.Get, "/metrics");
        using var r = await _host.Http.SendAsync(request);
        r.EnsureSuccessStatusCode();
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples (any unit/_total suffix) carrying camera="…".</summary>
    private static double Value(string text, string metric, string camera) =>
        text.Split('\n')
            .Where(l => l.StartsWith(metric, StringComparison.Ordinal) && l.Contains($"camera=\"{camera}\"", StringComparison.Ordinal))
            .Select(l => SampleValue().Match(l))
            .Where(m => m.Success)
            .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)(\s+\d+)?\s*$")]
    private static partial Regex SampleValue();
}
