using System.Net;
using System.Text.Json;

namespace VideoFace.Operations.Tests;

/// <summary>/health/live and /health/ready of the embedded host: ready when every part works, not ready when the blob store cannot be written.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private EmbeddedHost _host = null!;

    public async Task InitializeAsync() => _host = await EmbeddedHost.StartAsync("ops-health");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Live_AnswersWithoutAKey()
    {
        using var r = await _host.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_EveryCheckHealthy_ThenBlobStoreUnwritable_NotReadyNamingBlobs_ThenReadyAgain()
    {
        var ready = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        var checks = ready.Body.GetProperty("checks");
        foreach (var name in new[] { "silo", "models", "index", "blobs", "cameras" })
            Assert.True(checks.GetProperty(name).GetProperty("status").GetString() == "Healthy", $"{name}: {checks.GetProperty(name)}");
        Assert.Equal(0, checks.GetProperty("cameras").GetProperty("data").GetProperty("total").GetInt32());

        // the blob folder becomes a file: nothing can be written under it
        var blobs = Path.Combine(_host.DataDirectory, "blobs");
        var moved = blobs + ".away";
        Directory.Move(blobs, moved);
        await File.WriteAllTextAsync(blobs, "not a folder");
        try
        {
            var notReady = await ReadyAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
            var blobCheck = notReady.Body.GetProperty("checks").GetProperty("blobs");
            Assert.Equal("Unhealthy", blobCheck.GetProperty("status").GetString());
            Assert.Contains("not writable", blobCheck.GetProperty("description").GetString());
            Assert.Equal("Healthy", notReady.Body.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        }
        finally
        {
            File.Delete(blobs);
            Directory.Move(moved, blobs);
        }
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync()).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync()
    {
        using var r = await _host.Http.GetAsync("/health/ready");
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return (r.StatusCode, doc.RootElement.Clone());
    }
}
