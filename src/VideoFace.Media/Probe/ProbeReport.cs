using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoFace.Media.Health;

namespace VideoFace.Media.Probe;

/// <summary>What probing a camera or file found: stream, frames at the analysis rate, drops and health.</summary>
public sealed record ProbeReport(
    string Source,
    string? Codec,
    int Width,
    int Height,
    double SourceFps,
    double AnalysisFps,
    long Frames,
    long Dropped,
    HealthState Health,
    HealthReason Reason,
    string? Message,
    double Seconds,
    double? FirstPtsSeconds,
    double? LastPtsSeconds,
    IReadOnlyList<ProbeTransition> Transitions)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Frames per second actually delivered during the probe.</summary>
    public double MeasuredFps => Seconds > 0 ? Frames / Seconds : 0;

    /// <summary>Whether the source delivered frames and ended healthy (streaming or a file read to its end).</summary>
    public bool Succeeded => Frames > 0 && Health is HealthState.Streaming or HealthState.Ended;

    /// <summary>One JSON object with snake_case names (frames, width, height, codec, source_fps, dropped, health, reason, ...).</summary>
    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(this, new JsonSerializerOptions(Json) { WriteIndented = indented });

    /// <summary>A short human-readable summary.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"source       {Source}");
        text.AppendLine(inv, $"stream       {Codec ?? "?"} {Width}x{Height} @ {SourceFps:0.##} fps");
        text.AppendLine(inv, $"analysis     {(AnalysisFps > 0 ? AnalysisFps.ToString("0.##", inv) + " fps" : "every frame")}");
        text.AppendLine(inv, $"frames       {Frames} in {Seconds:0.0} s ({MeasuredFps:0.##}/s), {Dropped} dropped");
        if (FirstPtsSeconds is { } first && LastPtsSeconds is { } last)
            text.AppendLine(inv, $"pts          {first:0.###} s .. {last:0.###} s");
        text.AppendLine(inv, $"health       {Health}{(Reason == HealthReason.None ? "" : $" ({Reason})")}{(Message is null ? "" : ": " + Message)}");
        foreach (var t in Transitions)
            text.AppendLine(inv, $"  +{t.AtSeconds,6:0.00} s  {t.State}{(t.Reason == HealthReason.None ? "" : $" ({t.Reason})")}{(t.Message is null ? "" : ": " + t.Message)}");
        return text.ToString();
    }
}

/// <summary>A health transition seen while probing, relative to the probe's start.</summary>
public sealed record ProbeTransition(double AtSeconds, HealthState State, HealthReason Reason, string? Message);
