using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// Failing cameras on the embedded server (its own process): one points at a loopback port nothing listens on (ffmpeg
/// retried within the session), one at a path the RTSP server does not have (a permanent failure: the session ends and
/// is started again). Both are retried with growing delays, and their health says why all along.
/// </summary>
public sealed class CameraBackoffTests(RtspServerFixture rtsp, ITestOutputHelper output) : IClassFixture<RtspServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(20);
    private readonly string _folder = TestVideos.TempFolder("backoff");
    private EmbeddedSilo? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task FailingCameras_RetriedWithGrowingDelays_HealthCarriesTheReasonAndNextTry()
    {
        _silo = await EmbeddedSilo.StartAsync("backoff", Path.Combine(_folder, "data"),
        [
            $"--Media:ReconnectInitialDelay={Initial:c}",
            $"--Media:ReconnectMaxDelay={Cap:c}",
        ]);
        var api = _silo.Api;
        var cameras = new Dictionary<string, string>
        {
            ["refused"] = $"rtsp://127.0.0.1:{Ports.Free(1)[0]}/cam",
            ["missing"] = $"rtsp://127.0.0.1:{rtsp.Port}/no-such-path",
        };
        foreach (var (id, url) in cameras) await api.PutCameraAsync(id, url, fps: 2);

        var seen = cameras.Keys.ToDictionary(id => id, _ => new List<Sample>());
        DateTimeOffset previousSent = DateTimeOffset.UtcNow;
        await _silo.PollAsync(async () =>
        {
            var sent = DateTimeOffset.UtcNow;
            var now = await api.CamerasAsync();
            var received = DateTimeOffset.UtcNow;
            foreach (var id in cameras.Keys)
            {
                var c = now[id];
                seen[id].Add(new Sample(previousSent, received, c.GetProperty("health").GetString()!, Str(c, "reason"),
                    c.GetProperty("retry_at").ValueKind == JsonValueKind.Null ? null : c.GetProperty("retry_at").GetDateTimeOffset()));
            }
            previousSent = sent;
            return seen.Values.All(s => Retries(s).Count >= 4);
        }, TimeSpan.FromSeconds(150), "each failing camera has been scheduled for four retries");

        foreach (var (id, samples) in seen)
        {
            var retries = Retries(samples);
            output.WriteLine($"{id}: delays {string.Join(", ", retries.Select(r => $"{r.Min.TotalSeconds:0.00}-{r.Max.TotalSeconds:0.00} s"))}; " +
                $"reasons {string.Join(" | ", samples.Select(s => s.Reason).Distinct())}");
            // exponential: each delay is at least 1.6 times (doubling, ±20 %) the one before, until the cap
            for (int k = 1; k < 3; k++)
                Assert.True(retries[k].Min > retries[k - 1].Max, $"{id}: retry {k + 1} waits longer than retry {k} ({retries[k].Min} vs {retries[k - 1].Max})");
            Assert.All(retries, r => Assert.True(r.Min <= Cap, $"{id}: a delay stays within the cap ({r.Min})"));
            Assert.InRange(retries[0].Max, Initial * 0.8 - TimeSpan.FromSeconds(1), Initial * 1.2 + TimeSpan.FromSeconds(1));
            // from the first failure on, the camera always says why it is not streaming
            var failing = samples.SkipWhile(s => s.Reason is null).ToList();
            Assert.NotEmpty(failing);
            Assert.All(failing, s => Assert.False(string.IsNullOrEmpty(s.Reason), $"{id} is {s.Health} without a reason"));
            Assert.DoesNotContain(failing, s => s.Health == "Streaming");
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Each distinct next-try time with bounds on the delay before it: the failure that set it happened after the previous
    /// poll was sent and before the poll that first showed it came back.
    /// </summary>
    private static List<(DateTimeOffset At, TimeSpan Min, TimeSpan Max)> Retries(List<Sample> samples) =>
        samples.Where(s => s.RetryAt is not null).GroupBy(s => s.RetryAt!.Value)
            .Select(g => (At: g.Key, Min: g.Key - g.First().Received, Max: g.Key - g.First().PreviousSent))
            .OrderBy(r => r.At).ToList();

    private sealed record Sample(DateTimeOffset PreviousSent, DateTimeOffset Received, string Health, string? Reason, DateTimeOffset? RetryAt);

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
