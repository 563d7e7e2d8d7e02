using System.Diagnostics.Metrics;

namespace VideoFace.Alerts;

/// <summary>Metrics of webhook delivery (exported through OpenTelemetry by the silo host).</summary>
public static class AlertInstruments
{
    public const string MeterName = "VideoFace.Alerts";
    public const string WebhookDeliveries = "videoface.webhooks.delivered";
    public const string WebhookFailures = "videoface.webhooks.failed";

    private static readonly Meter Meter = new(MeterName);
    internal static readonly Counter<long> WebhookDeliveredCounter = Meter.CreateCounter<long>(WebhookDeliveries, "{delivery}");
    internal static readonly Counter<long> WebhookFailedCounter = Meter.CreateCounter<long>(WebhookFailures, "{delivery}");
}
