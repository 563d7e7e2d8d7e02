using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Grains.Tests.Support;
using VideoFace.Pipeline.Sessions;
using VideoFace.Testing;

namespace VideoFace.Grains.Tests;

/// <summary>
/// An enabled camera is kept running by its reminder alone: on one embedded-profile device silo (real SQLite reminders,
/// real ffmpeg), a camera whose activation is collected comes back, with a new session, without anyone calling it.
/// </summary>
public sealed class CameraKeepAliveTests : IAsyncLifetime
{
    private const string Camera = "lobby";
    private TestSilo _silo = null!;
    private string _video = null!;

    private ICameraSessions Sessions => _silo.Services.GetRequiredService<ICameraSessions>();

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync("camera-keepalive", devices: "cpu",
            settings: new Dictionary<string, string?> { ["VideoFace:CameraReminderPeriod"] = "00:00:02" });
        // long enough that the file never plays to its end (which would start a new run by itself) during the test
        _video = await TestVideos.H264Async(Path.Combine(_silo.DataDirectory, "lobby.mp4"), 320, 240, 10, 120);
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task CameraGrain_ActivationCollected_ReminderBringsTheSessionBack()
    {
        await _silo.Client.GetGrain<ICameraGrain>(Camera).ConfigureAsync(new CameraConfig(_video, 2));
        var tracks = _silo.Client.GetGrain<ICameraTracksGrain>(Camera);
        await Poll.UntilAsync(async () => (await tracks.GetAsync()).Epoch > 0, TimeSpan.FromSeconds(20), "the first session began");
        var firstEpoch = (await tracks.GetAsync()).Epoch;

        // every idle activation goes, the camera's included: its session stops with it
        await _silo.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // nobody calls the camera grain now; only its reminder can start a new session (a new epoch)
        await Poll.UntilAsync(async () => (await tracks.GetAsync()).Epoch > firstEpoch && Sessions.Snapshot(Camera) is not null,
            TimeSpan.FromSeconds(20), "the camera's reminder re-activated it and its session began again");
    }

    [Fact]
    public async Task CameraGrain_Disabled_ReminderDoesNotBringItBack()
    {
        var camera = _silo.Client.GetGrain<ICameraGrain>(Camera);
        await camera.ConfigureAsync(new CameraConfig(_video, 2));
        await Poll.UntilAsync(() => Sessions.Snapshot(Camera) is not null, TimeSpan.FromSeconds(20), "the session runs");

        await camera.ConfigureAsync(new CameraConfig(_video, 2, Enabled: false));
        await _silo.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // three reminder periods: a reminder left behind would have started the session by now
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        await Poll.UntilAsync(() => Sessions.Snapshot(Camera) is not null || DateTime.UtcNow > until, TimeSpan.FromSeconds(10), "six seconds passed");
        Assert.Null(Sessions.Snapshot(Camera));
    }
}
