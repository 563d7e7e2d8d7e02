using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using VideoFace.Abstractions;
using VideoFace.Media.Health;
using VideoFace.Pipeline;

namespace VideoFace.Grains.Tests;

/// <summary>
/// A camera's status crosses silos as the pipeline made it: <see cref="CameraIngestStatus"/> (no Orleans in its
/// assembly) goes through its surrogate with its health enum and every counter intact.
/// </summary>
public sealed class CameraStatusWireTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(CameraStatus).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Theory]
    [InlineData(HealthState.Streaming)]
    [InlineData(HealthState.Failed)]
    [InlineData(HealthState.Stopped)]
    public void CameraStatus_RoundTrip_KeepsHealthAndCounters(HealthState health)
    {
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(1));
        var status = new CameraStatus("gate", new CameraConfig("rtsp://cam/1", 4, true, "Gate", "north"), "silo-a",
            new CameraIngestStatus(health, "ConnectionRefused: no route", 120, 33, 7, 2, at, at.AddSeconds(8), 3));

        var copy = Serializer.Deserialize<CameraStatus>(Serializer.SerializeToArray(status));

        Assert.Equal(status, copy);
        Assert.Equal(health, copy!.Ingest.Health);
    }

    [Fact]
    public void CameraStatus_StoppedCamera_RoundTripsWithoutConfig()
    {
        var status = new CameraStatus("gone", null, null, CameraIngestStatus.Stopped);

        var copy = Serializer.Deserialize<CameraStatus>(Serializer.SerializeToArray(status));

        Assert.Equal(status, copy);
    }
}
