namespace VideoFace.Hosting.Telemetry;

/// <summary>Telemetry export (configuration section "VideoFace:Telemetry").</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "VideoFace:Telemetry";

    /// <summary>Serve Prometheus metrics at /metrics (behind the API key) on the HTTP API.</summary>
    public bool PrometheusEndpoint { get; set; } = true;

    /// <summary>
    /// OTLP collector to push metrics and traces to (e.g. http://otel-collector:4317); unset: no OTLP export, unless the
    /// standard OTEL_EXPORTER_OTLP_ENDPOINT environment variable is set.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Fraction of traces recorded (0–1; parent-based, so a trace is kept or dropped whole).</summary>
    public double TraceSampling { get; set; } = 1.0;

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (OtlpEndpoint is not null && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            e.Add($"{SectionName}:{nameof(OtlpEndpoint)} must be an absolute http(s) URL (was '{OtlpEndpoint}')");
        if (TraceSampling is < 0 or > 1 || double.IsNaN(TraceSampling))
            e.Add($"{SectionName}:{nameof(TraceSampling)} must be between 0 and 1 (was {TraceSampling})");
        return e;
    }

    /// <summary>The OTLP endpoint in effect: the setting, else the standard environment variable.</summary>
    public Uri? EffectiveOtlpEndpoint =>
        OtlpEndpoint is { Length: > 0 } o ? new Uri(o)
        : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } env && Uri.TryCreate(env, UriKind.Absolute, out var u) ? u
        : null;
}
