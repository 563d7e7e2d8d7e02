using Microsoft.Extensions.Logging;
using VideoFace.Media;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Output;
using VideoFace.Media.Sources;
using VideoFace.Vision;
using VideoFace.Vision.Drawing;

namespace VideoFace.Cli;

/// <summary>What an annotate run saw.</summary>
internal sealed record AnnotateSummary(
    string Input, string Output, long Frames, long AnalysedFrames, double Fps, int Width, int Height,
    long Faces, long UnknownFaces, SortedDictionary<string, long> Persons, float Threshold, string Pipeline);

/// <summary>The seed's video demo: every frame decoded, faces named from the facebank, overlay drawn, re-encoded as H.264.</summary>
internal static class VideoAnnotator
{
    public static async Task<AnnotateSummary> RunAsync(FaceAnalyzer analyzer, Vision.Facebank.Facebank bank, float threshold,
        string input, string output, int every, ILoggerFactory loggers, Action<long>? progress, CancellationToken ct)
    {
        if (!File.Exists(input) && !input.Contains("://", StringComparison.Ordinal)) throw new UserException($"video not found: {input}");
        if (every < 1) throw new UserException($"--every must be at least 1 (was {every})");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        // every frame, no drops: the output keeps the input's timing
        var options = new MediaOptions { AnalysisFps = 0, Live = false, BackPressure = BackPressureMode.Wait, MaxReconnectAttempts = 0 };
        await using var source = new FfmpegFrameSource(input, options, loggers.CreateLogger<FfmpegFrameSource>());
        FfmpegVideoWriter? writer = null;
        long frames = 0, analysed = 0, faces = 0, unknown = 0;
        var persons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var labels = new List<LabelledFace>();
        try
        {
            await foreach (var frame in source.ReadFramesAsync(ct))
            {
                using (frame)
                {
                    writer ??= FfmpegVideoWriter.Open(output, frame.Width, frame.Height, source.Stream?.Fps is > 0 and var f ? f : 25);
                    using var mat = frame.AsMat();
                    if (frames % every == 0)
                    {
                        labels.Clear();
                        foreach (var face in analyzer.Analyze(mat))
                        {
                            var m = bank.Count == 0 ? default : bank.Match(face.NormedEmbedding, threshold);
                            labels.Add(new LabelledFace(face.Box, m.Name, m.Similarity));
                            faces++;
                            if (m.Name is null) unknown++;
                            else persons[m.Name] = persons.GetValueOrDefault(m.Name) + 1;
                        }
                        analysed++;
                    }
                    FaceOverlay.Draw(mat, labels);
                    await writer.WriteAsync(frame, ct);
                    frames++;
                    progress?.Invoke(frames);
                }
            }
            if (frames == 0)
            {
                var h = source.Health;
                throw new UserException($"no frames could be decoded from {input}: {h}");
            }
            await writer!.CompleteAsync(ct);
        }
        finally
        {
            if (writer is not null) await writer.DisposeAsync();
        }
        if (source.Health.State == HealthState.Failed)
            Console.Error.WriteLine($"warning: the input ended with an error after {frames} frames: {source.Health}");
        var stream = source.Stream;
        return new AnnotateSummary(input, output, frames, analysed, stream?.Fps ?? 0, stream?.Width ?? 0, stream?.Height ?? 0,
            faces, unknown, persons, threshold, analyzer.Description);
    }

    public static void PrintHuman(AnnotateSummary s)
    {
        Console.WriteLine($"Annotated {s.Frames} frames ({s.Width}×{s.Height}, {s.Fps:0.##} fps) → {s.Output}");
        Console.WriteLine($"  faces: {s.Faces} in {s.AnalysedFrames} analysed frames, {s.UnknownFaces} unknown");
        foreach (var (name, n) in s.Persons.OrderByDescending(p => p.Value))
            Console.WriteLine($"  {name}: named in {n} frames");
    }
}
