using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;

namespace VideoFace.Hosting;

/// <summary>Silo services of alerts: options (section "Alerts", validated at start) and webhook delivery.</summary>
public static class AlertHostingExtensions
{
    public static AlertOptions AddVideoFaceAlerts(this IHostApplicationBuilder builder)
    {
        var options = builder.AddValidatedOptions<AlertOptions>(AlertOptions.SectionName, o => o.Validate());
        builder.Services.AddSingleton(sp => new AlertWebhookSender(options, sp.GetRequiredService<ILogger<AlertWebhookSender>>(),
            policy: sp.GetRequiredService<Media.Security.UrlPolicy>())
        {
            // receivers cannot send an API key for a thumbnail link, so they get a signed one
            ThumbnailUrl = sp.GetService<Api.BlobUrls>() is { } urls ? urls.For : null,
        });
        builder.Services.AddSingleton<AlertWebhookDispatcher>();
        return options;
    }
}
