using System.Globalization;
using FFMpegCore;
using FFMpegCore.Enums;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Ffmpeg;

/// <summary>Builds the ffmpeg command line that decodes one input into raw BGR24 frames on stdout.</summary>
internal static class DecodeArguments
{
    /// <summary>Output of the showinfo filter on stderr carries each frame's pts and size; raw video on stdout carries none.</summary>
    public static string Build(MediaLocation location, MediaOptions options, bool useCuda)
    {
        void Input(FFMpegInputOptions o)
        {
            if (useCuda) o.WithHardwareAcceleration(HardwareAccelerationDevice.CUDA);
            if (options.KeyframesOnly) o.WithCustomArgument("-skip_frame nokey"); // the decoder drops every other frame unread
            var timeoutMicros = ((long)options.NetworkTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
            switch (location.Kind)
            {
                case MediaKind.Rtsp:
                    o.WithCustomArgument($"-rtsp_transport {(options.RtspTransport == RtspTransport.Udp ? "udp" : "tcp")}");
                    o.WithCustomArgument($"-timeout {timeoutMicros}");
                    break;
                case MediaKind.Http or MediaKind.Hls:
                    o.WithCustomArgument($"-rw_timeout {timeoutMicros}");
                    break;
                case MediaKind.File when options.ReadFileAtNativeRate:
                    o.WithCustomArgument("-re");
                    break;
            }
        }

        var arguments = location.Kind == MediaKind.File
            ? FFMpegArguments.FromFileInput(location.Value, verifyExists: false, Input)
            : FFMpegArguments.FromUrlInput(new Uri(location.Value), Input);

        return arguments
            .OutputToFile("pipe:1", overwrite: false, o => o
                .WithCustomArgument("-map 0:v:0 -an -sn -dn")
                .WithCustomArgument($"-vf \"{FilterChain(options)}\"")
                // raw video has no timestamps; passthrough keeps ffmpeg from duplicating/dropping to a constant rate,
                // so every showinfo line matches exactly one frame on stdout.
                .WithCustomArgument("-fps_mode passthrough")
                .WithCustomArgument("-pix_fmt bgr24 -f rawvideo"))
            .Arguments
            .Insert(0, "-hide_banner -nostats -nostdin -loglevel info ");
    }

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
