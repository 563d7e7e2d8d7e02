using System.CommandLine;
using VideoFace.Media;
using VideoFace.Media.Probe;

namespace VideoFace.Cli.Commands;

/// <summary>`probe &lt;url-or-file&gt;`: like ffprobe for a camera — stream, frames at the analysis fps, drops, health.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("url") { Description = "Camera URL (rtsp://, http(s)://, HLS .m3u8) or video file" };
        var seconds = new Option<double>("--seconds") { Description = "How long to decode (a file may end sooner)", DefaultValueFactory = _ => 10 };
        var fps = new Option<double>("--fps") { Description = "Analysis frames per second (0 = every frame)", DefaultValueFactory = _ => 2 };
        var transport = new Option<RtspTransport>("--transport") { Description = "RTSP transport: tcp or udp", DefaultValueFactory = _ => RtspTransport.Tcp };
        var cmd = new Command("probe", "Open a camera or file, decode it at the analysis fps for a while and report stream, frames, drops and health")
        {
            input, seconds, fps, transport,
        };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var duration = pr.GetValue(seconds);
            if (!(duration > 0)) throw new ArgumentException($"--seconds must be positive (was {duration})");
            var defaults = new MediaOptions { RtspTransport = pr.GetValue(transport) };
            using var loggers = Cli.Loggers(pr);
            var report = await new MediaProbe(loggers).RunAsync(pr.GetValue(input)!, TimeSpan.FromSeconds(duration), pr.GetValue(fps), defaults, ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.Out.WriteLine(report.ToJson());
            else Console.Out.Write(report.ToText());
            return report.Succeeded ? 0 : 1;
        });
        return cmd;
    }
}
