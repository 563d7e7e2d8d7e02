using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Probe;

/// <summary>Opens a camera or file for a while, as ffprobe would for a camera, and reports what it delivered.</summary>
public sealed class MediaProbe(ILoggerFactory? loggerFactory = null)
{
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>
    /// Decodes <paramref name="urlOrFile"/> at <paramref name="analysisFps"/> (0 = every frame) for up to <paramref name="duration"/>
    /// or until it ends or fails. Probing does not retry: the first failure is reported.
    /// </summary>
    public async Task<ProbeReport> RunAsync(string urlOrFile, TimeSpan duration, double analysisFps,
        MediaOptions? defaults = null, CancellationToken ct = default)
    {
        var options = (defaults ?? new MediaOptions()).Clone();
        options.AnalysisFps = analysisFps;
        options.MaxReconnectAttempts = 0;
        var clock = Stopwatch.StartNew();
        var source = new FfmpegFrameSource(urlOrFile, options, _loggers.CreateLogger<FfmpegFrameSource>());
        var transitions = new List<ProbeTransition>();
        source.HealthChanged += (_, h) =>
        {
            lock (transitions) transitions.Add(new ProbeTransition(clock.Elapsed.TotalSeconds, h.State, h.Reason, h.Message));
        };

        long frames = 0;
        TimeSpan? first = null, last = null;
        SourceHealth final;
        await using (source.ConfigureAwait(false))
        {
            using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
            window.CancelAfter(duration);
            try
            {
                await foreach (var frame in source.ReadFramesAsync(window.Token).ConfigureAwait(false))
                {
                    using (frame)
                    {
                        frames++;
                        first ??= frame.Pts;
                        last = frame.Pts;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // the probe window is over
            }
            ct.ThrowIfCancellationRequested();
            // the state while probing, not the Stopped that ending the probe causes
            final = LastBeforeStop(source.HealthHistory) ?? source.Health;
        }

        var stream = source.Stream;
        List<ProbeTransition> seen;
        lock (transitions) seen = transitions.Where(t => t.State != HealthState.Stopped).ToList();
        return new ProbeReport(source.Source, stream?.Codec, stream?.Width ?? 0, stream?.Height ?? 0, stream?.Fps ?? 0,
            analysisFps, frames, source.Counters.Dropped, final.State, final.Reason, final.Message,
            Math.Min(clock.Elapsed.TotalSeconds, Math.Max(duration.TotalSeconds, 0.001)),
            first?.TotalSeconds, last?.TotalSeconds, seen);
    }

    private static SourceHealth? LastBeforeStop(IReadOnlyList<SourceHealth> history) =>
        history.LastOrDefault(h => h.State != HealthState.Stopped);
}
