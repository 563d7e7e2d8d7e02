using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace VideoFace.Hosting.Dashboard;

/// <summary>The operator dashboard: static pages (vanilla JS modules, no CDN) from wwwroot next to the host's binaries, served at "/".</summary>
public static class DashboardExtensions
{
    /// <summary>Folder the build copies src/VideoFace.Hosting/wwwroot to.</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    // Same-origin only: the pages work offline and call nothing but this host (thumbnails may be Azure SAS URLs: any https image).
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    /// <summary>Serves index.html at "/" and the dashboard's files; a host built without wwwroot simply has no dashboard.</summary>
    public static IApplicationBuilder UseVideoFaceDashboard(this IApplicationBuilder app)
    {
        if (!Directory.Exists(WebRoot)) return app;
        var files = new PhysicalFileProvider(WebRoot);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx =>
            {
                // small files, revalidated by ETag: an upgraded host never serves a stale mix of modules
                ctx.Context.Response.Headers.CacheControl = "no-cache";
                ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
                if (ctx.File.Name.EndsWith(".html", StringComparison.Ordinal))
                {
                    ctx.Context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    ctx.Context.Response.Headers["Referrer-Policy"] = "no-referrer";
                }
            },
        });
    }
}
