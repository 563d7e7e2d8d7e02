using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Datasets.Scenes;
using VideoFace.Grains.Identity;
using VideoFace.Pipeline.Inference;
using VideoFace.Grains.Placement;
using VideoFace.Pipeline.Sessions;
using VideoFace.Hosting;
using VideoFace.Media;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Security;
using VideoFace.Media.Sources;
using VideoFace.Pipeline;
using VideoFace.Tracking;
using VideoFace.Vision;

namespace VideoFace.Cli;

/// <summary>How <see cref="SceneEvaluator"/> runs: the silo's devices and vision settings, and the analysis rate.</summary>
internal sealed record SceneEvaluationOptions(VisionOptions Vision, string Devices, double AnalysisFps, bool NativeRate, bool Verbose = false);

/// <summary>One enrolled identity and how many of its photos gave a face.</summary>
internal sealed record EnrolmentOutcome(string Identity, int Photos, int Used);

/// <summary>The result of one evaluation: the score plus what it ran on.</summary>
internal sealed record SceneEvaluation(string Video, double AnalysisFps, string Device, string EmbeddingSpace,
    IReadOnlyList<EnrolmentOutcome> Enrolment, SceneScore Score);

/// <summary>
/// Runs a scene video through the server's own camera path — an embedded silo in this process (SQLite state in a
/// temporary folder), enrolment through the inference and gallery grains as the API enrols, then FfmpegFrameSource →
/// the device batcher → the configured tracker → the camera sessions' track publisher (gallery matching, identity grains) — and scores
/// what the cluster finally decided for each track against the scene's truth.
/// </summary>
internal static class SceneEvaluator
{
    public static async Task<SceneEvaluation> RunAsync(SceneTruth truth, string truthDir, string video, SceneEvaluationOptions options,
        Action<string>? progress, CancellationToken ct)
    {
        var data = Directory.CreateTempSubdirectory("videoface-eval-").FullName;
        try
        {
            var ports = FreePorts(2);
            var inv = CultureInfo.InvariantCulture;
            var settings = new Dictionary<string, string?>
            {
                ["VideoFace:Profile"] = "Embedded",
                ["VideoFace:DataDirectory"] = data,
                ["VideoFace:SiloPort"] = ports[0].ToString(inv),
                ["VideoFace:GatewayPort"] = ports[1].ToString(inv),
                // no HTTP API: the evaluation talks to the grains in-process
                ["VideoFace:HttpPort"] = "0",
                ["VideoFace:Devices"] = options.Devices,
                ["Vision:ModelsDirectory"] = options.Vision.ModelsDirectory,
                ["Vision:InsightFacePack"] = options.Vision.InsightFacePack,
                ["Vision:DetectorModel"] = options.Vision.DetectorModel,
                ["Vision:FlipAugment"] = options.Vision.FlipAugment.ToString(),
                // the video is read as a camera, so its folder must be one the URL policy allows (as an operator would set)
                ["VideoFace:Security:MediaFolders:90"] = Path.GetDirectoryName(Path.GetFullPath(video)),
            };
            progress?.Invoke("starting the embedded silo");
            await using var app = VideoFaceHost.Build([], settings, b =>
            {
                // stdout carries the report (JSON with --json): the silo logs to stderr, warnings only (the grains log
                // every sighting at Information), and Orleans' start-up advice on GC settings not at all
                b.Logging.ClearProviders();
                b.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                b.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Warning);
                if (!options.Verbose) b.Logging.AddFilter("Orleans", LogLevel.Error);
            });
            await app.StartAsync(ct);
            try
            {
                var grains = app.Services.GetRequiredService<IGrainFactory>();
                var enrolment = await EnrolAsync(grains, truth, truthDir, progress, ct);
                return await ReadVideoAsync(app, grains, truth, video, options, enrolment, progress, ct);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Enrols each identity's photos the way POST /api/persons does: largest face of each photo, then the gallery.</summary>
    private static async Task<List<EnrolmentOutcome>> EnrolAsync(IGrainFactory grains, SceneTruth truth, string truthDir,
        Action<string>? progress, CancellationToken ct)
    {
        var inference = grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere);
        var space = (await inference.GetStatsAsync()).EmbeddingSpace;
        var outcomes = new List<EnrolmentOutcome>();
        foreach (var e in truth.Enrolment)
        {
            ct.ThrowIfCancellationRequested();
            var embeddings = new List<float[]>();
            foreach (var photo in e.Photos)
            {
                var faces = await inference.AnalyzeImageAsync(await File.ReadAllBytesAsync(ResolveInside(truthDir, photo), ct));
                if (faces.Count > 0) embeddings.Add(faces[0].Embedding);
            }
            // forced: the scene's truth says whose photos these are; the evaluation measures the camera path, not the enrolment check
            if (embeddings.Count > 0) await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).EnrollAsync(e.Identity, embeddings, space, force: true);
            outcomes.Add(new EnrolmentOutcome(e.Identity, e.Photos.Count, embeddings.Count));
        }
        progress?.Invoke($"enrolled {outcomes.Count(o => o.Used > 0)} of {outcomes.Count} people");
        return outcomes;
    }

    private static async Task<SceneEvaluation> ReadVideoAsync(WebApplication app, IGrainFactory grains, SceneTruth truth, string video,
        SceneEvaluationOptions options, List<EnrolmentOutcome> enrolment, Action<string>? progress, CancellationToken ct)
    {
        var services = app.Services;
        var batcher = services.GetRequiredService<IInferenceDevices>().Get();
        var sessions = services.GetRequiredService<CameraSessions>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var media = services.GetRequiredService<MediaOptions>().Clone();
        media.AnalysisFps = options.AnalysisFps;
        media.Live = false;
        // a camera plays a file at its own pace; an evaluation may go as fast as analysis allows — a finite source waits
        // for the consumer instead of dropping, so both see the same frames
        media.ReadFileAtNativeRate = options.NativeRate;
        var cameraId = "eval";
        var source = new RecordingSource(new FfmpegFrameSource(video, media, loggers.CreateLogger<FfmpegFrameSource>(),
            policy: services.GetService<UrlPolicy>()));
        var tracker = new RecordingTracker(services.GetRequiredService<IFaceTrackerFactory>().Create(cameraId), source, truth.Fps, truth.FrameCount);
        // Idle tracks end MaxAge after their last face by the pipeline's clock. A camera's frames carry the wall clock, so
        // both agree; a file read faster or slower than its own pace (a loaded machine) would let the wall clock end tracks
        // early or late, so there the video's own clock (the latest frame's time) stands in for it.
        TimeProvider clock = options.NativeRate ? TimeProvider.System : new VideoClock(source);
        var pipeline = new CameraPipeline(cameraId, source, batcher, tracker, sessions, clock, loggers.CreateLogger<CameraPipeline>())
        {
            EmbedPolicy = services.GetRequiredService<IFaceTrackerFactory>().CreateEmbedPolicy(),
        };
        progress?.Invoke($"reading {Path.GetFileName(video)} at {(options.AnalysisFps > 0 ? options.AnalysisFps.ToString("0.##", CultureInfo.InvariantCulture) + " fps" : "every frame")}");
        long embeddedBefore = batcher.FacesEmbedded;
        var sw = Stopwatch.StartNew();
        try
        {
            await pipeline.RunAsync(ct);
        }
        finally
        {
            await source.DisposeAsync();
        }
        sw.Stop();
        if (source.Health.State == HealthState.Failed)
            throw new InvalidDataException($"the video could not be read: {source.Health.Message ?? source.Health.Reason.ToString()}");
        var verdicts = await VerdictsAsync(grains, ct);
        var run = new SceneObservations(tracker.AnalysedFrames, tracker.Faces, tracker.Announced, verdicts,
            batcher.FacesEmbedded - embeddedBefore, sw.Elapsed.TotalSeconds, pipeline.Status.FacesDetected);
        return new SceneEvaluation(video, options.AnalysisFps, batcher.Device, batcher.Analyzer.EmbeddingSpace, enrolment,
            SceneScoring.Score(truth, run));
    }

    /// <summary>
    /// Each track's final identity: the identity whose history holds the track once the run is over (whatever the
    /// naming rules decided along the way), with the enrolled person's name when it is one.
    /// </summary>
    private static async Task<Dictionary<string, TrackVerdict>> VerdictsAsync(IGrainFactory grains, CancellationToken ct)
    {
        var gallery = grains.GetGrain<IGalleryGrain>(Names.DefaultGallery);
        var persons = (await gallery.ListPersonsAsync()).ToDictionary(p => p.IdentityId, p => p.Name, StringComparer.Ordinal);
        var latest = new Dictionary<string, (TrackVerdict Verdict, DateTimeOffset At)>(StringComparer.Ordinal);
        foreach (var id in await gallery.ListIdentitiesAsync())
        {
            ct.ThrowIfCancellationRequested();
            foreach (var h in await grains.GetGrain<IIdentityGrain>(id).GetHistoryAsync(IdentityGrain.MaxHistory))
            {
                var at = h.End ?? h.Start;
                // a track relabelled after the fact may linger in an earlier identity's history; the latest entry wins
                if (!latest.TryGetValue(h.TrackId, out var seen) || at > seen.At)
                    latest[h.TrackId] = (new TrackVerdict(id, persons.GetValueOrDefault(id)), at);
            }
        }
        return latest.ToDictionary(kv => kv.Key, kv => kv.Value.Verdict, StringComparer.Ordinal);
    }

    /// <summary>A path from the truth file, which must stay inside the truth file's folder (a truth file is input too).</summary>
    public static string ResolveInside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
            throw new InvalidDataException($"'{relative}' points outside the truth file's folder");
        if (!File.Exists(full)) throw new FileNotFoundException($"file named by the truth file not found: {full}", full);
        return full;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>The frame source as the pipeline sees it, noting each delivered frame's stream time by its capture time.</summary>
    private sealed class RecordingSource(IFrameSource inner) : IFrameSource
    {
        private readonly ConcurrentDictionary<DateTimeOffset, TimeSpan> _pts = new();

        public string Source => inner.Source;
        public SourceHealth Health => inner.Health;
        public IReadOnlyList<SourceHealth> HealthHistory => inner.HealthHistory;
        public StreamInfo? Stream => inner.Stream;
        public FrameSourceCounters Counters => inner.Counters;

        public event EventHandler<SourceHealth>? HealthChanged
        {
            add => inner.HealthChanged += value;
            remove => inner.HealthChanged -= value;
        }

        public TimeSpan? PtsAt(DateTimeOffset captureTime) => _pts.TryGetValue(captureTime, out var pts) ? pts : null;

        // UTC ticks of the latest delivered frame (0 before the first); read by the pipeline's housekeeping thread
        private long _latest;

        /// <summary>Capture time of the latest frame delivered, null before the first.</summary>
        public DateTimeOffset? Latest => Interlocked.Read(ref _latest) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

        public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var frame in inner.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                _pts[frame.CaptureTime] = frame.Pts;
                Interlocked.Exchange(ref _latest, frame.CaptureTime.UtcTicks);
                yield return frame;
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The video's clock: the latest delivered frame's time (the system clock before the first frame).</summary>
    private sealed class VideoClock(RecordingSource source) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => source.Latest ?? System.GetUtcNow();
    }

    /// <summary>
    /// The configured tracker, unchanged, with its per-frame output noted: which track each face joined, on which truth
    /// frame, and which tracks were announced (Started).
    /// </summary>
    private sealed class RecordingTracker(IFaceTracker inner, RecordingSource source, double fps, int frameCount) : IFaceTracker
    {
        private readonly List<TrackedFace> _faces = [];
        private readonly List<int> _frames = [];
        private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

        public IReadOnlyList<TrackedFace> Faces => _faces;
        public IReadOnlyList<int> AnalysedFrames => _frames;
        public IReadOnlyCollection<string> Announced => _announced;

        public string CameraId => inner.CameraId;
        public IReadOnlyList<TrackSnapshot> Tracks => inner.Tracks;

        public TrackerUpdate Update(FrameFaces frame)
        {
            var update = inner.Update(frame);
            if (source.PtsAt(frame.Time) is { } pts)
            {
                int index = Math.Clamp((int)Math.Round(pts.TotalSeconds * fps), 0, Math.Max(0, frameCount - 1));
                _frames.Add(index);
                for (int i = 0; i < frame.Faces.Count && i < update.Assignments.Count; i++)
                {
                    if (update.Assignments[i].TrackId is not { } id) continue;
                    var b = frame.Faces[i].Box;
                    _faces.Add(new TrackedFace(index, id, b.X1, b.Y1, b.Width, b.Height));
                }
            }
            Note(update.Events);
            return update;
        }

        public IReadOnlyList<TrackEvent> Expire(DateTimeOffset now) => Note(inner.Expire(now));

        public IReadOnlyList<TrackEvent> EndAll(DateTimeOffset now) => Note(inner.EndAll(now));

        private IReadOnlyList<TrackEvent> Note(IReadOnlyList<TrackEvent> events)
        {
            foreach (var e in events)
                if (e.Kind == TrackEventKind.Started) _announced.Add(e.Track.Id);
            return events;
        }
    }
}
