using System.Globalization;
using System.Text.RegularExpressions;
using VideoFace.Media.Health;

namespace VideoFace.Media.Ffmpeg;

/// <summary>Reads ffmpeg's stderr lines: the input stream header, per-frame showinfo lines and error messages.</summary>
internal static partial class FfmpegOutputParser
{
    // Order matters: the first pattern that matches a line decides its reason.
    private static readonly (Regex Pattern, HealthReason Reason)[] ErrorPatterns =
    [
        (new Regex(@"Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|No address associated with hostname", RegexOptions.IgnoreCase), HealthReason.Dns),
        (new Regex(@"Connection refused", RegexOptions.IgnoreCase), HealthReason.ConnectionRefused),
        (new Regex(@"\b401\b.*Unauthorized|Unauthorized|\b403\b.*Forbidden", RegexOptions.IgnoreCase), HealthReason.Unauthorized),
        (new Regex(@"\b404\b.*Not Found|No such file or directory|Server returned 404", RegexOptions.IgnoreCase), HealthReason.NotFound),
        (new Regex(@"Connection timed out|Operation timed out|timed out", RegexOptions.IgnoreCase), HealthReason.Timeout),
        (new Regex(@"hwaccel|Device creation failed|cuda|nvdec|cuvid|Failed to get HW surface", RegexOptions.IgnoreCase), HealthReason.HardwareDecode),
        (new Regex(@"does not contain any stream|matches no streams|Output file #\d+ does not contain", RegexOptions.IgnoreCase), HealthReason.NoVideoStream),
        (new Regex(@"Decoder \(codec .*\) not found|Unsupported codec|Unknown decoder|Could not find codec parameters|no decoder found", RegexOptions.IgnoreCase), HealthReason.Codec),
        (new Regex(@"Invalid data found when processing input|moov atom not found|Invalid argument|could not find corresponding trex|error reading header", RegexOptions.IgnoreCase), HealthReason.InvalidData),
        (new Regex(@"Connection reset by peer|End of file|Broken pipe", RegexOptions.IgnoreCase), HealthReason.EndOfStream),
    ];

    /// <summary>The reason an error line names, or None for lines that are not errors we know.</summary>
    public static HealthReason Classify(string line)
    {
        if (IsShowInfo(line)) return HealthReason.None;
        foreach (var (pattern, reason) in ErrorPatterns)
            if (pattern.IsMatch(line)) return reason;
        return HealthReason.None;
    }

    public static bool IsShowInfo(string line) => line.Contains("Parsed_showinfo", StringComparison.Ordinal);

    /// <summary>Parses the per-frame line of the showinfo filter; false for any other line (including its extra detail lines).</summary>
    public static bool TryParseShowInfo(string line, out FrameMeta meta)
    {
        meta = default;
        if (!IsShowInfo(line)) return false;
        var m = ShowInfoRegex().Match(line);
        if (!m.Success) return false;
        var index = long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        TimeSpan? pts = double.TryParse(m.Groups["t"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
        meta = new FrameMeta(index, pts,
            int.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>Parses an input video stream line such as "Stream #0:0(und): Video: h264 (High) ..., 1280x720 [SAR 1:1], 25 fps, 25 tbr".</summary>
    public static bool TryParseInputStream(string line, out StreamInfo info)
    {
        info = default!;
        var m = StreamRegex().Match(line);
        if (!m.Success) return false;
        var size = SizeRegex().Match(line, m.Index + m.Length);
        if (!size.Success) return false;
        var fps = FpsRegex().Match(line);
        var rate = 0.0;
        if (fps.Success) rate = ParseRate(fps.Groups["v"].Value);
        else if (TbrRegex().Match(line) is { Success: true } tbr) rate = ParseRate(tbr.Groups["v"].Value);
        info = new StreamInfo(m.Groups["codec"].Value,
            int.Parse(size.Groups["w"].Value, CultureInfo.InvariantCulture),
            int.Parse(size.Groups["h"].Value, CultureInfo.InvariantCulture),
            rate);
        return true;
    }

    /// <summary>Whether the line starts the description of an output (stream lines after it are not the input's).</summary>
    public static bool IsOutputHeader(string line) => line.StartsWith("Output #", StringComparison.Ordinal);

    private static double ParseRate(string value)
    {
        var scale = value.EndsWith('k') ? 1000 : 1;
        return double.TryParse(value.TrimEnd('k'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v * scale : 0;
    }

    [GeneratedRegex(@"\bn:\s*(?<n>\d+)\s+pts:\s*\S+\s+pts_time:(?<t>\S+).*?\bs:(?<w>\d+)x(?<h>\d+)")]
    private static partial Regex ShowInfoRegex();

    [GeneratedRegex(@"Stream #\d+:\d+.*?: Video: (?<codec>[A-Za-z0-9_]+)")]
    private static partial Regex StreamRegex();

    [GeneratedRegex(@"\b(?<w>\d{2,5})x(?<h>\d{2,5})\b")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"(?<v>[\d.]+k?) fps")]
    private static partial Regex FpsRegex();

    [GeneratedRegex(@"(?<v>[\d.]+k?) tbr")]
    private static partial Regex TbrRegex();
}
