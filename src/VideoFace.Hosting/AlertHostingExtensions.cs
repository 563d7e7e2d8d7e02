using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Grains.Alerts;

namespace VideoFace.Hosting;

/// <summary>Silo services of alerts: options (section "Alerts", validated now) and webhook delivery.</summary>
public static class AlertHostingExtensions
{
    public static AlertOptions AddVideoFaceAlerts(this IHostApplicationBuilder builder)
    {
        var options = new AlertOptions();
        try
        {
            builder.Configuration.GetSection(AlertOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(AlertOptions.SectionName, typeof(AlertOptions), [$"{AlertOptions.SectionName}: {ex.Message}"]);
        }
        var errors = options.Validate();
        if (errors.Count > 0) throw new OptionsValidationException(AlertOptions.SectionName, typeof(AlertOptions), errors);
        builder.Services.AddSingleton(Options.Create(options));
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
