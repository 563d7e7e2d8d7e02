using System.Globalization;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Ffmpeg;

/// <summary>Builds the ffmpeg argument list that decodes one input into raw BGR24 frames on stdout.</summary>
/// <remarks>
/// The list goes to the process as separate arguments (never one string re-split by the process start), so a quote,
/// space or newline in a path or URL cannot become another ffmpeg option, input or output.
/// </remarks>
internal static class DecodeArguments
{
    /// <summary>Output of the showinfo filter on stderr carries each frame's pts and size; raw video on stdout carries none.</summary>
    public static IReadOnlyList<string> Build(MediaLocation location, MediaOptions options, bool useCuda)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-nostdin", "-loglevel", "info" };
        if (useCuda) args.AddRange(["-hwaccel", "cuda"]);
        if (options.KeyframesOnly) args.AddRange(["-skip_frame", "nokey"]); // the decoder drops every other frame unread
        // only the protocols this kind of input needs: an HLS playlist cannot pull in file: or udp: segments
        args.AddRange(["-protocol_whitelist", ProtocolWhitelist(location.Kind)]);
        var timeoutMicros = ((long)options.NetworkTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        switch (location.Kind)
        {
            case MediaKind.Rtsp:
                args.AddRange(["-rtsp_transport", options.RtspTransport == RtspTransport.Udp ? "udp" : "tcp"]);
                args.AddRange(["-timeout", timeoutMicros]);
                break;
            case MediaKind.Http or MediaKind.Hls:
                args.AddRange(["-rw_timeout", timeoutMicros]);
                break;
            case MediaKind.File when options.ReadFileAtNativeRate:
                args.Add("-re");
                break;
        }
        args.AddRange(["-i", InputArgument(location)]);
        args.AddRange(["-map", "0:v:0", "-an", "-sn", "-dn", "-vf", FilterChain(options)]);
        // raw video has no timestamps; passthrough keeps ffmpeg from duplicating/dropping to a constant rate,
        // so every showinfo line matches exactly one frame on stdout.
        args.AddRange(["-fps_mode", "passthrough", "-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// A file goes in as <c>file:/full/path</c>: ffmpeg then opens exactly that path, even one that starts with
    /// <c>-</c> or holds a <c>:</c> that would otherwise name a protocol (<c>concat:</c>, <c>subfile:</c>, …).
    /// </summary>
    public static string InputArgument(MediaLocation location) =>
        location.Kind == MediaKind.File ? "file:" + Path.GetFullPath(location.Value) : location.Value;

    /// <summary>ffmpeg's <c>-protocol_whitelist</c> for an input kind (nested protocols included: rtsps runs over tls over tcp).</summary>
    public static string ProtocolWhitelist(MediaKind kind) => kind switch
    {
        MediaKind.File => "file",
        MediaKind.Rtsp => "rtsp,rtsps,rtp,srtp,tcp,udp,tls",
        MediaKind.Http or MediaKind.Hls => "http,https,tcp,tls,crypto,hls",
        _ => "rtmp,rtmps,srt,tcp,udp,tls",
    };

    /// <summary>
    /// Sampling first, so frames it drops are never scaled or converted to BGR. Keyframe-only decoding samples with
    /// select (at most AnalysisFps frames per second, never a duplicate) since fps would repeat sparse keyframes.
    /// </summary>
    public static string FilterChain(MediaOptions options)
    {
        var filters = new List<string>();
        if (options.AnalysisFps > 0 && options.KeyframesOnly)
            filters.Add(string.Create(CultureInfo.InvariantCulture,
                $"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{1 / options.AnalysisFps:0.######})'"));
        else if (options.AnalysisFps > 0)
            filters.Add(string.Create(CultureInfo.InvariantCulture, $"fps={options.AnalysisFps:0.###}"));
        if (options.MaxWidth > 0 || options.MaxHeight > 0)
        {
            var w = options.MaxWidth > 0 ? $"min(iw,{options.MaxWidth})" : "iw";
            var h = options.MaxHeight > 0 ? $"min(ih,{options.MaxHeight})" : "ih";
            filters.Add($"scale=w='{w}':h='{h}':force_original_aspect_ratio=decrease:force_divisible_by=2");
        }
        filters.Add("format=bgr24");
        filters.Add("showinfo=checksum=0");
        return string.Join(',', filters);
    }
}
