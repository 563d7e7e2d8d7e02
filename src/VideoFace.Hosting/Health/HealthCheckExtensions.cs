using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VideoFace.Hosting.Health;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (silo joined, models loaded, index open, blob store
/// writable, cameras summarised), as ASP.NET Core health checks. Both need no key, as orchestrators' probes send none;
/// they name no secrets (camera ids only for cameras that are not streaming).
/// </summary>
public static class HealthCheckExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string Ready = "ready";

    public static IServiceCollection AddVideoFaceHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloJoinedHealthCheck>("silo", tags: [Ready])
            .AddCheck<ModelsHealthCheck>("models", tags: [Ready])
            .AddCheck<IndexHealthCheck>("index", tags: [Ready], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<BlobStoreHealthCheck>("blobs", tags: [Ready], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<CamerasHealthCheck>("cameras", tags: [Ready], timeout: TimeSpan.FromSeconds(10));
        return services;
    }

    public static IEndpointRouteBuilder MapVideoFaceHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        return app;
    }

    /// <summary>{"status": "Healthy", "checks": {"blobs": {"status": …, "description": …, "data": {…}}, …}}.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            duration_ms = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
