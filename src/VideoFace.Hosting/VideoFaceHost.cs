using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Hosting.Api;
using VideoFace.Hosting.Dashboard;
using VideoFace.Hosting.Health;
using VideoFace.Hosting.Telemetry;

namespace VideoFace.Hosting;

/// <summary>Builds the complete silo process: Orleans silo, services and, when an HTTP port is set, the HTTP API.</summary>
public static class VideoFaceHost
{
    /// <summary>
    /// The silo web application. Configuration: appsettings.json, environment variables (VideoFace__HttpPort, …),
    /// command-line (--VideoFace:HttpPort=…), then <paramref name="overrides"/>.
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        builder.AddVideoFaceLogging();
        configure?.Invoke(builder);
        var host = builder.AddVideoFaceSilo();
        var telemetry = builder.AddVideoFaceTelemetry(host);
        builder.Services.AddVideoFaceHealthChecks();
        builder.Services.AddVideoFaceApi();
        var keys = host.AllowAnonymousApi ? [] : host.ApiKeys.Count > 0 || host.Profile == HostingProfile.Cluster
            ? host.ApiKeys
            : [ApiKeys.LocalKey(host.DataDirectory)];
        builder.Services.AddSingleton(new ApiKeys(keys));
        builder.WebHost.UseUrls(host.HttpPort > 0 ? $"http://{host.HttpHost}:{host.HttpPort}" : "http://127.0.0.1:0");
        var app = builder.Build();
        if (host.HttpPort > 0)
        {
            app.UseVideoFaceDashboard();
            app.MapVideoFaceHealth();
            app.MapVideoFaceMetrics(telemetry);
            app.UseVideoFaceApiKeys();
            app.UseWebSockets();
            app.MapVideoFaceApi();
        }
        return app;
    }
}
