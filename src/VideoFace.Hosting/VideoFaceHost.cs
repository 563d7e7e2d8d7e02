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
        // admin keys: the configured ones, else (embedded) the data folder's api-key file; added viewer/admin keys live hashed beside it
        IEnumerable<(string Id, string Key)> admin = host.AllowAnonymousApi ? [] : host.ApiKeys.Count > 0 || host.Profile == HostingProfile.Cluster
            ? host.ApiKeys.Select((k, i) => ($"config-{i + 1}", k))
            : [("local", ApiKeys.LocalKey(host.DataDirectory))];
        var store = host.Profile == HostingProfile.Embedded && !host.AllowAnonymousApi ? Path.Combine(host.DataDirectory, ApiKeys.StoreFileName) : null;
        builder.Services.AddSingleton(new ApiKeys(admin, store));
        var certificate = HttpsCertificate.Load(host);
        var scheme = certificate is null ? "http" : "https";
        builder.WebHost.UseUrls(host.HttpPort > 0 ? $"{scheme}://{host.HttpHost}:{host.HttpPort}" : "http://127.0.0.1:0");
        if (certificate is not null)
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        var app = builder.Build();
        if (host.HttpPort > 0)
        {
            app.UseVideoFaceProblems();
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
