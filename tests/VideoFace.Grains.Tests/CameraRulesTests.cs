using VideoFace.Abstractions;
using VideoFace.Grains.Cameras;
using VideoFace.Grains.Tracks;
using VideoFace.Media.Health;
using VideoFace.Pipeline;
using VideoFace.Vision.Detection;

namespace VideoFace.Grains.Tests;

/// <summary>What a camera grain decides without Orleans: valid configurations, the status it answers, named previews.</summary>
public sealed class CameraRulesTests
{
    private static readonly CameraIngestStatus Failing = new(HealthState.Failed, "NotFound", 10, 2, 1, 0, null, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("", 2)]
    [InlineData("  ", 2)]
    [InlineData("rtsp://cam", 0)]
    [InlineData("rtsp://cam", -1)]
    [InlineData("rtsp://cam", 60.5)]
    [InlineData("rtsp://cam", double.NaN)]
    public void Validate_BadConfig_Throws(string url, double fps)
    {
        Assert.Throws<ArgumentException>(() => CameraRules.Validate(new CameraConfig(url, fps)));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(60)]
    public void Validate_GoodConfig_Passes(double fps)
    {
        CameraRules.Validate(new CameraConfig("rtsp://cam", fps));
        Assert.Equal(new Pipeline.Sessions.CameraFeed("rtsp://cam", fps), CameraRules.Feed(new CameraConfig("rtsp://cam", fps)));
    }

    [Fact]
    public void Status_Enabled_IsTheSessionsOwnOrConnecting()
    {
        var enabled = new CameraConfig("rtsp://cam");

        Assert.Same(Failing, CameraRules.Status(enabled, Failing));
        Assert.Equal(HealthState.Connecting, CameraRules.Status(enabled, null).Health);
    }

    [Fact]
    public void Status_DisabledOrUnknown_IsStoppedWithoutANextTry()
    {
        var disabled = new CameraConfig("rtsp://cam", Enabled: false);

        Assert.Equal(CameraIngestStatus.Stopped, CameraRules.Status(null, null));
        Assert.Equal(CameraIngestStatus.Stopped, CameraRules.Status(disabled, null));
        var stopping = CameraRules.Status(disabled, Failing);
        Assert.Equal((HealthState.Stopped, (DateTimeOffset?)null, 10L), (stopping.Health, stopping.RetryAt, stopping.FramesAnalyzed));
    }

    [Fact]
    public void Named_FacesOfLabelledTracks_CarryTheirIdentity()
    {
        var preview = new FramePreview([1, 2], 640, 480, DateTimeOffset.UnixEpoch,
            [new PreviewFace(new FaceBox(10, 20, 50, 80), 0.9f, "t1"), new PreviewFace(new FaceBox(0, 0, 5, 5), 0.5f, "t2"),
             new PreviewFace(new FaceBox(1, 1, 2, 2), 0.4f, null)]);

        var named = CameraRules.Named(preview, t => t == "t1" ? new TrackLabel("p-ann", "Ann", 0.7f) : null);

        Assert.Equal((640, 480), (named.Width, named.Height));
        Assert.Equal(new CameraPreviewFace(10, 20, 40, 60, 0.9f, "t1", "p-ann", "Ann"), named.Faces[0]);
        Assert.Equal((string?)null, named.Faces[1].IdentityId);
        Assert.Null(named.Faces[2].TrackId);
    }
}
