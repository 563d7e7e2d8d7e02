using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using VideoFace.Vision.Alignment;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Landmarks;
using VideoFace.Vision.Models;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision;

/// <summary>
/// detect → key points → align (ArcFace 112×112) → embed, like InsightFace's <c>FaceAnalysis.get</c>.
/// All faces of an image are embedded in one batched model call (two with flip augmentation folded into the same batch).
/// Not thread-safe per call ordering, but ONNX Runtime sessions are, so one instance may serve several threads.
/// </summary>
public sealed partial class FaceAnalyzer : IDisposable
{
    private readonly IFaceDetector _detector;
    private readonly ILandmarker? _landmarker;
    private readonly IFaceEmbedder _embedder;
    private readonly IFaceEmbedder? _second;
    private readonly VisionOptions _options;

    public FaceAnalyzer(IFaceDetector detector, ILandmarker? landmarker, IFaceEmbedder embedder, VisionOptions options, IFaceEmbedder? secondEmbedder = null)
    {
        if (landmarker is null && !detector.ProvidesKeypoints)
            throw new ArgumentException($"detector '{detector.Name}' gives no key points, so a landmark model is required");
        _detector = detector;
        _landmarker = landmarker;
        _embedder = embedder;
        _second = secondEmbedder;
        _options = options;
        Decoder = new ImageDecoder(options.MaxImagePixels);
    }

    public IFaceDetector Detector => _detector;
    public IFaceEmbedder Embedder => _embedder;

    /// <summary>Decoder with this pipeline's size limit.</summary>
    public ImageDecoder Decoder { get; }

    /// <summary>Length of <see cref="Face.NormedEmbedding"/> (sum of both embedders' when fused).</summary>
    public int EmbeddingDimension => _embedder.Dimension + (_second?.Dimension ?? 0);

    /// <summary>Identifies the embedding space (embedder(s) and flip); facebanks and indexes built in another space are not comparable.</summary>
    public string EmbeddingSpace => _embedder.Name + (_second is null ? "" : "+" + _second.Name) + (_options.FlipAugment ? " (flip)" : "");

    /// <summary>Human description, e.g. "ultraface + fr_landmark68 + fr_feature (flip)".</summary>
    public string Description =>
        $"{_detector.Name} + {(UseDetectorKeypoints ? "detector key points" : _landmarker!.Name)} + {_embedder.Name}"
        + (_second is null ? "" : " ⊕ " + _second.Name) + (_options.FlipAugment ? " (flip)" : "");

    private bool UseDetectorKeypoints => _detector.ProvidesKeypoints && (_options.Keypoints != KeypointSource.LandmarkModel || _landmarker is null);

    /// <summary>Builds the configured pipeline: an InsightFace pack when set, else the default pack; logs the device.</summary>
    public static FaceAnalyzer Create(VisionOptions options, ILoggerFactory? loggers = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid vision settings: " + string.Join("; ", errors));
        loggers ??= NullLoggerFactory.Instance;
        var sessions = new OnnxSessionFactory(options, loggers.CreateLogger<OnnxSessionFactory>());
        var owned = new List<IDisposable>();
        try
        {
            IFaceDetector detector;
            ILandmarker? landmarker = null;
            IFaceEmbedder embedder;
            if (options.InsightFacePack is { } packDir)
            {
                var pack = InsightFacePack.Open(packDir);
                detector = Own(DetectorFactory.Create(options.DetectorModel ?? pack.DetectorPath, sessions, options));
                embedder = Own(new ArcFaceEmbedder(sessions.Open(pack.RecognizerPath, dynamicBatch: true), pack.RecognizerPath, pack.RecognizerNormalization, options.MaxBatch));
                if (!detector.ProvidesKeypoints || options.Keypoints == KeypointSource.LandmarkModel)
                    landmarker = Own(OpenLandmarker(ModelCatalog.Load(options.ModelsDirectory), sessions, options));
            }
            else
            {
                var catalog = ModelCatalog.Load(options.ModelsDirectory);
                detector = Own(DetectorFactory.Create(options.DetectorModel ?? catalog.DefaultModelPath("detector"), sessions, options));
                if (!detector.ProvidesKeypoints || options.Keypoints != KeypointSource.Detector)
                    landmarker = Own(OpenLandmarker(catalog, sessions, options));
                var featurePath = catalog.DefaultModelPath("embedder");
                embedder = Own(new ArcFaceEmbedder(sessions.Open(featurePath, dynamicBatch: true), featurePath, PixelNormalization.Rgb127Over128, options.MaxBatch));
            }
            IFaceEmbedder? second = null;
            if (options.SecondEmbedderModel is { } secondPath)
                second = Own(new ArcFaceEmbedder(sessions.Open(secondPath, dynamicBatch: true), secondPath, PixelNormalization.ArcFace, options.MaxBatch));
            var analyzer = new FaceAnalyzer(detector, landmarker, embedder, options, second);
            LogPipeline(loggers.CreateLogger<FaceAnalyzer>(), analyzer.Description, sessions.Provider);
            return analyzer;
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }

        T Own<T>(T item) where T : IDisposable
        {
            owned.Add(item);
            return item;
        }
    }

    private static Fr68Landmarker OpenLandmarker(ModelCatalog catalog, OnnxSessionFactory sessions, VisionOptions options)
    {
        var path = catalog.DefaultModelPath("landmarker");
        return new Fr68Landmarker(sessions.Open(path, dynamicBatch: true), path, options.MaxBatch);
    }

    /// <summary>Every face in a BGR image, largest first, with embeddings. <paramref name="maxFaces"/> ≤ 0 means all.</summary>
    public IReadOnlyList<Face> Analyze(Mat image, int maxFaces = 0)
    {
        using var owned = ImageDecoder.EnsureBgr(image) is var bgr && ReferenceEquals(bgr, image) ? null : bgr;
        var faces = _detector.Detect(bgr)
            .Where(f => Math.Min(f.Box.Width, f.Box.Height) >= _options.MinFaceSize)
            .OrderByDescending(f => f.Box.Area)
            .ToList();
        if (maxFaces > 0 && faces.Count > maxFaces) faces.RemoveRange(maxFaces, faces.Count - maxFaces);
        if (faces.Count == 0) return [];
        var keypoints = KeypointsOf(bgr, faces);
        var crops = new List<Mat>(faces.Count);
        try
        {
            foreach (var kps in keypoints) crops.Add(FaceAligner.Align(bgr, kps, _embedder.InputSize));
            var embeddings = EmbedAligned(crops);
            var result = new Face[faces.Count];
            for (int i = 0; i < faces.Count; i++)
            {
                var raw = embeddings[i];
                result[i] = new Face(faces[i].Box, faces[i].Score, keypoints[i], raw.Raw, raw.Normed, raw.Norm);
            }
            return result;
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>Detects faces only (no embedding), e.g. for counting or drawing.</summary>
    public IReadOnlyList<DetectedFace> Detect(Mat image)
    {
        using var owned = ImageDecoder.EnsureBgr(image) is var bgr && ReferenceEquals(bgr, image) ? null : bgr;
        return _detector.Detect(bgr).Where(f => Math.Min(f.Box.Width, f.Box.Height) >= _options.MinFaceSize).ToList();
    }

    /// <summary>The 5 alignment key points of each detected face (from the detector or the landmark model).</summary>
    public Point2f[][] KeypointsOf(Mat bgr, IReadOnlyList<DetectedFace> faces)
    {
        if (UseDetectorKeypoints && faces.All(f => f.Keypoints is { Length: 5 }))
            return faces.Select(f => f.Keypoints!).ToArray();
        return _landmarker!.Locate(bgr, faces.Select(f => f.Box).ToList());
    }

    /// <summary>
    /// Runs every model once at its largest batch (<see cref="VisionOptions.MaxBatch"/> crops and boxes) on blank input,
    /// so ONNX Runtime's memory arenas reach their ceiling now rather than at the first burst of faces hours later. The
    /// arenas keep what they grew to, and a busy minute can come any time; grown at start, the process's memory is flat
    /// from its first minute and a memory limit that is too small fails at start, not in production.
    /// </summary>
    public void WarmUp(int frameWidth = 1280, int frameHeight = 720)
    {
        using var frame = new Mat(frameHeight, frameWidth, MatType.CV_8UC3, Scalar.All(127));
        _detector.Detect(frame);
        int batch = Math.Max(1, _options.MaxBatch);
        if (_landmarker is not null)
        {
            var side = Math.Min(frameWidth, frameHeight) / 4;
            _landmarker.Locate(frame, Enumerable.Repeat(new FaceBox(side, side, 2 * side, 2 * side), batch).ToList());
        }
        var crops = Enumerable.Range(0, batch).Select(_ => new Mat(_embedder.InputSize, _embedder.InputSize, MatType.CV_8UC3, Scalar.All(127))).ToList();
        try
        {
            _embedder.Embed(crops);
            _second?.Embed(crops);
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>Embeds already aligned crops (e.g. 112×112 dataset images), applying flip augmentation and fusion as configured.</summary>
    public IReadOnlyList<(float[] Raw, float[] Normed, float Norm)> EmbedAligned(IReadOnlyList<Mat> crops)
    {
        var first = EmbedWith(_embedder, crops);
        if (_second is null) return first;
        var second = EmbedWith(_second, crops);
        var fused = new (float[], float[], float)[crops.Count];
        for (int i = 0; i < crops.Count; i++)
        {
            var concat = new float[first[i].Normed.Length + second[i].Normed.Length];
            first[i].Normed.CopyTo(concat, 0);
            second[i].Normed.CopyTo(concat, first[i].Normed.Length);
            fused[i] = (concat, Embeddings.Normalize(concat), Embeddings.Norm(concat));
        }
        return fused;
    }

    private (float[] Raw, float[] Normed, float Norm)[] EmbedWith(IFaceEmbedder embedder, IReadOnlyList<Mat> crops)
    {
        var batch = new List<Mat>(crops);
        var flipped = new List<Mat>();
        try
        {
            if (_options.FlipAugment)
            {
                foreach (var c in crops)
                {
                    var f = new Mat();
                    Cv2.Flip(c, f, FlipMode.Y);
                    flipped.Add(f);
                }
                batch.AddRange(flipped);
            }
            var all = embedder.Embed(batch);
            var result = new (float[], float[], float)[crops.Count];
            for (int i = 0; i < crops.Count; i++)
            {
                var raw = all[i];
                if (_options.FlipAugment) System.Numerics.Tensors.TensorPrimitives.Add(raw, all[crops.Count + i], raw);
                result[i] = (raw, Embeddings.Normalize(raw), Embeddings.Norm(raw));
            }
            return result;
        }
        finally
        {
            foreach (var f in flipped) f.Dispose();
        }
    }

    public void Dispose()
    {
        _detector.Dispose();
        _landmarker?.Dispose();
        _embedder.Dispose();
        _second?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Face analysis: {Pipeline} on {Provider}")]
    private static partial void LogPipeline(ILogger logger, string pipeline, string provider);
}
