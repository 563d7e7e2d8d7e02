using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VideoFace.Hosting;

/// <summary>
/// Log levels of a VideoFace host: the framework's internals (Orleans, Polly's per-attempt lines from Orleans' placement
/// and membership, ASP.NET Core) at Warning unless <see cref="VideoFaceHostOptions.Verbose"/>. The console format comes
/// from configuration as usual: <c>Logging:Console:FormatterName=json</c> writes one JSON object per line.
/// </summary>
public static class LoggingExtensions
{
    /// <summary>Categories that are quiet (Warning and above) by default.</summary>
    public static readonly IReadOnlyList<string> QuietCategories = ["Orleans", "Polly", "Microsoft.AspNetCore", "Microsoft.Orleans"];

    public static IHostApplicationBuilder AddVideoFaceLogging(this IHostApplicationBuilder builder)
    {
        var verbose = builder.Configuration.GetValue<bool>($"{VideoFaceHostOptions.SectionName}:{nameof(VideoFaceHostOptions.Verbose)}");
        if (verbose)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            return builder;
        }
        foreach (var category in QuietCategories) builder.Logging.AddFilter(category, LogLevel.Warning);
        return builder;
    }
}
