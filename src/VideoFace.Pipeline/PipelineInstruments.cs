using System.Diagnostics.Metrics;

namespace VideoFace.Pipeline;

/// <summary>Metrics of the analysis pipeline (exported through OpenTelemetry by the silo host).</summary>
public static class PipelineInstruments
{
    public const string MeterName = "VideoFace.Pipeline";
    public const string BatchSize = "videoface.inference.batch_size";
    public const string FacesEmbedded = "videoface.inference.faces_embedded";
    public const string FacesNotEmbedded = "videoface.inference.faces_not_embedded";
    public const string FramesAnalyzed = "videoface.frames.analyzed";
    public const string QueueWait = "videoface.inference.queue_wait_ms";
    public const string DetectLatency = "videoface.inference.detect.duration";
    public const string EmbedLatency = "videoface.inference.embed.duration";
    public const string BatchFill = "videoface.inference.batch_fill";
    public const string FacesDetected = "videoface.faces.detected";

    private static readonly Meter Meter = new(MeterName);
    internal static readonly Histogram<int> BatchSizeHistogram = Meter.CreateHistogram<int>(BatchSize, "faces", "Faces per embedder call");
    internal static readonly Counter<long> FacesEmbeddedCounter = Meter.CreateCounter<long>(FacesEmbedded, "faces");
    internal static readonly Counter<long> FacesNotEmbeddedCounter = Meter.CreateCounter<long>(FacesNotEmbedded, "faces",
        "Detected faces the embedding policy left out (their track already knew them)");
    internal static readonly Counter<long> FramesAnalyzedCounter = Meter.CreateCounter<long>(FramesAnalyzed, "frames");
    internal static readonly Histogram<double> DetectLatencyHistogram = Meter.CreateHistogram<double>(DetectLatency, "ms", "Detector + landmarks time per frame");
    internal static readonly Histogram<double> EmbedLatencyHistogram = Meter.CreateHistogram<double>(EmbedLatency, "ms", "Embedder time per batch");
    internal static readonly Histogram<double> BatchFillHistogram = Meter.CreateHistogram<double>(BatchFill, null, "Faces per embedder call over the maximum batch (0-1)");
    internal static readonly Counter<long> FacesDetectedCounter = Meter.CreateCounter<long>(FacesDetected, "{face}");
    internal static readonly Histogram<double> QueueWaitHistogram = Meter.CreateHistogram<double>(QueueWait, "ms", "Time a request waited for the device");
}
