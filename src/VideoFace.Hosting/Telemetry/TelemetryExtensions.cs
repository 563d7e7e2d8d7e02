using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VideoFace.Grains;
using VideoFace.Hosting.Api;
using VideoFace.Index;
using VideoFace.Pipeline;
using VideoFace.Storage;

namespace VideoFace.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for a VideoFace host: the meters of every stage (pipeline, cameras, grains, storage) and Orleans' own,
/// traces of the frame path (VideoFace and Orleans activity sources), a Prometheus scrape endpoint at /metrics behind
/// the API key, and OTLP export of both when an endpoint is configured.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";

    /// <summary>Every meter the host exports.</summary>
    public static readonly IReadOnlyList<string> Meters =
    [
        PipelineInstruments.MeterName, CameraInstruments.MeterName, GrainInstruments.MeterName, VideoFace.Alerts.AlertInstruments.MeterName, StorageInstruments.MeterName,
        "Microsoft.Orleans",
    ];

    public static TelemetryOptions AddVideoFaceTelemetry(this IHostApplicationBuilder builder, VideoFaceHostOptions host)
    {
        var options = builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate());
        var otlp = options.EffectiveOtlpEndpoint;
        var services = builder.Services;
        services.AddSingleton<CameraInstruments>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraInstruments>());
        Decorate<ISightingIndex>(services, inner => new InstrumentedSightingIndex(inner));
        Decorate<IBlobStore>(services, inner => new InstrumentedBlobStore(inner));

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("videoface", serviceInstanceId: host.EffectiveSiloName))
            .WithMetrics(m =>
            {
                m.AddMeter([.. Meters]);
                if (options.PrometheusEndpoint && host.HttpPort > 0) m.AddPrometheusExporter();
                if (otlp is not null) m.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        if (otlp is not null)
        {
            otel.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampling)))
                .AddSource(VideoFaceActivities.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }
        return options;
    }

    /// <summary>/metrics in Prometheus' text format, for a request carrying an accepted API key.</summary>
    public static WebApplication MapVideoFaceMetrics(this WebApplication app, TelemetryOptions options)
    {
        if (!options.PrometheusEndpoint) return app;
        app.UseWhen(c => c.Request.Path.StartsWithSegments(MetricsPath), branch => branch.Use(async (context, next) =>
        {
            var keys = context.RequestServices.GetRequiredService<ApiKeys>();
            if (!keys.Enabled || keys.IsValid(PresentedKey(context.Request)))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[ApiKeys.HeaderName].FirstOrDefault() is { Length: > 0 } header) return header;
        var auth = request.Headers.Authorization.FirstOrDefault();
        return auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    /// <summary>Wraps the registered <typeparamref name="T"/> (when there is one) in a decorator, keeping its lifetime.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(T));
        if (descriptor is null) return;
        services.Remove(descriptor);
        services.Add(ServiceDescriptor.Describe(typeof(T), sp => wrap(Resolve<T>(sp, descriptor)), descriptor.Lifetime));
    }

    private static T Resolve<T>(IServiceProvider sp, ServiceDescriptor d) where T : class =>
        (T)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
