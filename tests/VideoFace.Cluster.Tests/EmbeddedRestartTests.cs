using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests;

/// <summary>The embedded profile as `videoface up` runs it (<see cref="VideoFaceHost.Build"/>): what one process stored, the next one on the same data folder has.</summary>
public sealed class EmbeddedRestartTests : IAsyncLifetime
{
    private const string CameraId = "front-door";
    private readonly string _folder = TestVideos.TempFolder("restart");
    private string _video = "";

    public async Task InitializeAsync() =>
        _video = await FaceVideo.CreateAsync(Path.Combine(_folder, "george.mp4"), [TestData.Face("George_W_Bush", 2)], secondsEach: 4, gapSeconds: 2.5);

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EmbeddedSilo_RestartedOnTheSameDataFolder_KeepsCamerasGalleryAndHistoryAndResumesIngest()
    {
        string personId;
        IReadOnlyList<string> tracksBefore;
        await using (var first = await EmbeddedApp.StartAsync(_folder, Ports.Free(3), MaxAge))
        {
            using var api = first.Api;
            personId = await api.EnrollAsync("George W Bush", TestData.Face("George_W_Bush", 3), TestData.Face("George_W_Bush", 4));
            await api.PutCameraAsync(CameraId, _video, fps: 4);
            await Poll.UntilAsync(() => api.HistoryTrackIdsAsync(personId).GetAwaiter().GetResult().Count > 0, TimeSpan.FromSeconds(45),
                "the enrolled person has a sighting on the file camera", TimeSpan.FromMilliseconds(500));
            tracksBefore = await api.HistoryTrackIdsAsync(personId);
        }

        await using var second = await EmbeddedApp.StartAsync(_folder, Ports.Free(3), MaxAge);
        using var api2 = second.Api;

        var cameras = await api2.CamerasAsync();
        Assert.True(cameras.ContainsKey(CameraId), "the camera is still registered");
        Assert.Equal(_video, cameras[CameraId].GetProperty("url").GetString());
        Assert.Equal(4, cameras[CameraId].GetProperty("fps").GetDouble());
        var persons = (await api2.GetAsync("/api/persons")).EnumerateArray().ToList();
        var person = Assert.Single(persons, p => p.GetProperty("id").GetString() == personId);
        Assert.Equal("George W Bush", person.GetProperty("name").GetString());
        Assert.True(person.GetProperty("sightings").GetInt32() >= tracksBefore.Count);
        var tracksAfterRestart = await api2.HistoryTrackIdsAsync(personId);
        Assert.All(tracksBefore, t => Assert.Contains(t, tracksAfterRestart));

        // nobody touches the camera: the watchdog/reminder revives it and a new sighting arrives
        await Poll.UntilAsync(() => api2.HistoryTrackIdsAsync(personId).GetAwaiter().GetResult().Except(tracksBefore).Any(), TimeSpan.FromSeconds(45),
            "the restarted silo's ingest records a new sighting", TimeSpan.FromMilliseconds(500));
        var camera = (await api2.CamerasAsync())[CameraId];
        Assert.True(camera.GetProperty("enabled").GetBoolean());
    }

    // tracks end soon after a face leaves
    private static readonly Dictionary<string, string?> MaxAge = new() { ["Tracking:MaxAge"] = "00:00:01.500" };
}
