using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Media.Health;
using VideoFace.Pipeline.Inference;
using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Hosting.Health;

/// <summary>This silo is an active member of its cluster (joined, not shutting down).</summary>
internal sealed class SiloJoinedHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var data = new Dictionary<string, object> { ["silo"] = silo.Name, ["status"] = status.ToString(), ["active_silos"] = active };
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{silo.Name} is active ({active} active silo(s))", data)
            : HealthCheckResult.Unhealthy($"{silo.Name} is {status}, not active", data: data));
    }
}

/// <summary>The silo's inference devices have their models loaded (or the silo has none: API-only).</summary>
internal sealed class ModelsHealthCheck(IServiceProvider services, IOptions<VideoFaceHostOptions> host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var devices = host.Value.DeviceList;
        if (devices.Count == 0) return Task.FromResult(HealthCheckResult.Healthy("no inference devices (API-only silo)"));
        try
        {
            var batcher = services.GetRequiredService<IInferenceDevices>().Get();
            return Task.FromResult(HealthCheckResult.Healthy($"models loaded on {string.Join(',', devices)}",
                new Dictionary<string, object> { ["devices"] = devices, ["embedding_dimension"] = batcher.Analyzer.EmbeddingDimension }));
        }
        catch (Exception ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"models not loaded: {ex.Message}"));
        }
    }
}

/// <summary>The sighting index answers (embedded USearch or Qdrant); silos without one (cluster, no Qdrant) pass.</summary>
internal sealed class IndexHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ISightingIndex? index;
        try
        {
            index = services.GetService<ISightingIndex>();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"index could not be opened: {ex.Message}");
        }
        if (index is null) return HealthCheckResult.Healthy("no sighting index on this silo");
        var count = await index.CountAsync(cancellationToken);
        return HealthCheckResult.Healthy($"index open, {count} sightings", new Dictionary<string, object> { ["sightings"] = count });
    }
}

/// <summary>The blob store takes a write (a small probe blob, written and deleted).</summary>
internal sealed class BlobStoreHealthCheck(IBlobStore blobs, IOptions<VideoFaceHostOptions> host) : IHealthCheck
{
    // a valid 1×1 PNG: the stores accept image types only
    private static readonly byte[] Probe = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var key = $"health/{BlobKeys.Safe(host.Value.EffectiveSiloName)}.png";
        try
        {
            await blobs.PutAsync(key, Probe, BlobContentTypes.Png, cancellationToken);
            await blobs.DeleteAsync(key, cancellationToken);
            return HealthCheckResult.Healthy("blob store writable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"blob store not writable: {ex.Message}");
        }
    }
}

/// <summary>Each registered camera's state, summarised; Degraded (still ready) when a camera has failed for good.</summary>
internal sealed class CamerasHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var ids = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
        var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
        var data = new Dictionary<string, object> { ["total"] = statuses.Length };
        foreach (var g in statuses.GroupBy(s => s.Ingest.Health)) data[g.Key.ToString().ToLowerInvariant()] = g.Count();
        var notStreaming = statuses.Where(s => s.Ingest.Health is not (HealthState.Streaming or HealthState.Stopped)).Select(s => $"{s.CameraId}: {s.Ingest.Health}").ToList();
        if (notStreaming.Count > 0) data["not_streaming"] = notStreaming;
        var summary = $"{statuses.Length} camera(s): " + string.Join(", ", statuses.GroupBy(s => s.Ingest.Health).Select(g => $"{g.Count()} {g.Key}"));
        return statuses.Any(s => s.Ingest.Health == HealthState.Failed)
            ? HealthCheckResult.Degraded(summary, data: data)
            : HealthCheckResult.Healthy(summary, data);
    }
}
