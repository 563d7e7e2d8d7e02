using System.Text.Json;
using VideoFace.Media.Health;
using VideoFace.Media.Probe;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Media.Tests;

public sealed class ProbeTests(MediaClips clips) : IClassFixture<MediaClips>
{
    [Fact]
    public async Task Probe_File_ReportsStreamFramesAndEnd()
    {
        var report = await new MediaProbe().RunAsync(clips.Mp4, TimeSpan.FromSeconds(20), 5);

        Assert.Equal(("h264", 320, 240, 25.0), (report.Codec, report.Width, report.Height, report.SourceFps));
        Assert.InRange(report.Frames, 19, 21);
        Assert.Equal(HealthState.Ended, report.Health);
        Assert.Equal(HealthReason.EndOfStream, report.Reason);
        Assert.True(report.Succeeded);
    }

    [Fact]
    public async Task Probe_Json_HasTheSnakeCaseFieldsTheCliPromises()
    {
        var report = await new MediaProbe().RunAsync(clips.Mp4, TimeSpan.FromSeconds(20), 2);
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;

        foreach (var name in new[] { "frames", "width", "height", "codec", "source_fps", "dropped", "health", "reason", "transitions" })
            Assert.True(root.TryGetProperty(name, out _), $"missing {name} in {report.ToJson()}");
        Assert.Equal("ended", root.GetProperty("health").GetString());
        Assert.Equal("end_of_stream", root.GetProperty("reason").GetString());
        Assert.Equal(320, root.GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Probe_RefusedCamera_ReportsFailedWithoutRetrying()
    {
        var report = await new MediaProbe().RunAsync($"rtsp://127.0.0.1:{RtspServer.FreeTcpPort()}/cam", TimeSpan.FromSeconds(20), 2);

        Assert.Equal(0, report.Frames);
        Assert.Equal(HealthState.Failed, report.Health);
        Assert.Equal(HealthReason.ConnectionRefused, report.Reason);
        Assert.Contains("Failed", report.ToText());
    }
}
