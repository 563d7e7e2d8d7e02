using System.Diagnostics.Metrics;

namespace VideoFace.Grains;

/// <summary>Metrics of the identity and alert side (exported through OpenTelemetry by the silo host).</summary>
public static class GrainInstruments
{
    public const string MeterName = "VideoFace.Grains";
    public const string IdentityEvents = "videoface.identity.events";
    public const string Alerts = "videoface.alerts";
    public const string AlertLatency = "videoface.alerts.latency";

    private static readonly Meter Meter = new(MeterName);
    internal static readonly Counter<long> IdentityEventsCounter = Meter.CreateCounter<long>(IdentityEvents, "{event}", "Identity events published (tag kind)");
    internal static readonly Counter<long> AlertsCounter = Meter.CreateCounter<long>(Alerts, "{alert}", "Alerts raised (tag rule)");
    internal static readonly Histogram<double> AlertLatencyHistogram = Meter.CreateHistogram<double>(AlertLatency, "ms", "From the identity event's time to the alert being logged");
}
