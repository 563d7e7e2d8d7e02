using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using VideoFace.Abstractions;
using VideoFace.Media.Health;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Grains.Placement;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// Two silos: Silo_0 advertises gpu:0 (on a machine without CUDA its analyzer falls back to the CPU, with a warning),
/// Silo_1 advertises no device. Both point at one data folder, so they share one SQLite file for grain state, pub-sub
/// and reminders, as silos share a real store (SQLite in WAL mode takes the two silos' connections).
/// </summary>
public sealed class PlacementFixture : IAsyncLifetime
{
    public const string GpuSilo = "Silo_0";
    public const string NoDeviceSilo = "Silo_1";

    public string DataDirectory { get; } = TestVideos.TempFolder("placement");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        Cluster = await VideoFaceTestCluster.StartAsync(2, silo =>
            VideoFaceTestCluster.BaseSettings(silo, DataDirectory, silo == GpuSilo ? "gpu:0" : ""));
        // Silo metadata reaches the other silo's cache shortly after it joins; until then no silo qualifies.
        await WaitForPlacementAsync(Client.GetGrain<IInferenceGrain>(DeviceKey.Anywhere), TimeSpan.FromSeconds(30));
    }

    public SiloAddress AddressOf(string siloName) => Cluster.Silos.Single(s => s.Name == siloName).SiloAddress;

    /// <summary>The silo the grain's activation lives on, looked up in the silos' activation directories.</summary>
    public SiloAddress? HostOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    private static Task WaitForPlacementAsync(IInferenceGrain grain, TimeSpan timeout) =>
        Poll.UntilAsync(async () => { await grain.GetStatsAsync(); return true; }, timeout,
            "the inference grain is placed on a silo that advertises its device", interval: TimeSpan.FromMilliseconds(200));

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

public sealed class PlacementTests(PlacementFixture fx) : IClassFixture<PlacementFixture>
{
    [Fact]
    public async Task InferenceGrain_AnyDeviceKeys_ActivateOnlyOnTheGpuSilo()
    {
        string[] keys =
        [
            DeviceKey.Anywhere, DeviceKey.Format(null, "gpu:0"), DeviceKey.Format(PlacementFixture.GpuSilo, "gpu:0"),
            .. Enumerable.Range(0, 30).Select(i => $"plain-key-{i}"),
        ];

        var stats = await Task.WhenAll(keys.Select(k => fx.Client.GetGrain<IInferenceGrain>(k).GetStatsAsync()));

        Assert.All(stats, s => Assert.Equal(PlacementFixture.GpuSilo, s.Silo));
        Assert.All(stats, s => Assert.Equal("gpu:0", s.Device));
        var gpu = fx.AddressOf(PlacementFixture.GpuSilo);
        Assert.All(keys, k => Assert.Equal(gpu, fx.HostOf(fx.Client.GetGrain<IInferenceGrain>(k))));
    }

    [Fact]
    public async Task CameraGrain_Configured_RunsOnlyOnTheGpuSilo()
    {
        var ids = Enumerable.Range(0, 8).Select(i => $"placement-cam-{i}").ToList();
        try
        {
            // nothing listens on port 1: the camera activates and keeps reconnecting, no stream needed
            await Task.WhenAll(ids.Select(id => fx.Client.GetGrain<ICameraGrain>(id).ConfigureAsync(new CameraConfig("rtsp://127.0.0.1:1/x", 2))));

            var statuses = await Task.WhenAll(ids.Select(id => fx.Client.GetGrain<ICameraGrain>(id).GetStatusAsync()));

            Assert.All(statuses, s => Assert.Equal(PlacementFixture.GpuSilo, s.Silo));
            Assert.All(statuses, s => Assert.NotEqual(HealthState.Stopped, s.Ingest.Health));
            var gpu = fx.AddressOf(PlacementFixture.GpuSilo);
            Assert.All(ids, id => Assert.Equal(gpu, fx.HostOf(fx.Client.GetGrain<ICameraGrain>(id))));
        }
        finally
        {
            await Task.WhenAll(ids.Select(id => fx.Client.GetGrain<ICameraGrain>(id).RemoveAsync()));
        }
    }

    [Theory]
    [InlineData(PlacementFixture.NoDeviceSilo, "gpu:0")] // the silo exists but offers no device
    [InlineData(PlacementFixture.GpuSilo, "cpu")]        // the silo exists but not with that device
    [InlineData("no-such-silo", "gpu:0")]
    [InlineData(DeviceKey.AnySilo, "gpu:7")]             // no silo offers that device
    public async Task InferenceGrain_KeyNoSiloCanServe_CallFailsWithoutActivating(string silo, string device)
    {
        var grain = fx.Client.GetGrain<IInferenceGrain>(DeviceKey.Format(silo, device));

        await Assert.ThrowsAnyAsync<Exception>(() => grain.GetStatsAsync());

        Assert.Null(fx.HostOf(grain));
    }

    [Fact]
    public void PlainGrains_WithoutPlacementFilter_AreNotRestrictedToDeviceSilos()
    {
        // Identity and gallery grains need no device: only camera and inference grains carry the filter. (Where the
        // default placement then puts a plain grain depends on silo load, so the filter list is checked, not a spread.)
        var resolver = fx.Cluster.GetSiloServiceProvider(fx.AddressOf(PlacementFixture.NoDeviceSilo))
            .GetRequiredService<global::Orleans.Runtime.Placement.Filtering.PlacementFilterStrategyResolver>();
        Assert.Empty(resolver.GetPlacementFilterStrategies(fx.Client.GetGrain<IIdentityGrain>("x").GetGrainId().Type));
        Assert.Empty(resolver.GetPlacementFilterStrategies(fx.Client.GetGrain<IGalleryGrain>("x").GetGrainId().Type));
        Assert.Contains(resolver.GetPlacementFilterStrategies(fx.Client.GetGrain<ICameraGrain>("x").GetGrainId().Type),
            st => st is VideoFace.Grains.Placement.InferenceDevicePlacementFilterStrategy);
        Assert.Contains(resolver.GetPlacementFilterStrategies(fx.Client.GetGrain<IInferenceGrain>("any/any").GetGrainId().Type),
            st => st is VideoFace.Grains.Placement.InferenceDevicePlacementFilterStrategy);
    }
}
