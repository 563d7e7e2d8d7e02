using Microsoft.Extensions.Logging;
using VideoFace.Vision;
using VideoFace.Vision.Onnx;

namespace VideoFace.Pipeline.Inference;

/// <summary>Builds one analyzer + batcher per advertised device at start (bad models fail the silo at start, naming the file).</summary>
public sealed class InferenceDevices : IInferenceDevices, IAsyncDisposable
{
    private readonly Dictionary<string, InferenceBatcher> _batchers = new(StringComparer.Ordinal);
    private readonly List<FaceAnalyzer> _analyzers = [];

    public InferenceDevices(string siloName, IReadOnlyList<string> devices, VisionOptions vision, InferenceBatcherOptions batching, ILoggerFactory loggers)
    {
        SiloName = siloName;
        Devices = devices;
        foreach (var device in devices)
        {
            var options = ForDevice(vision, device);
            var analyzer = FaceAnalyzer.Create(options, loggers);
            _analyzers.Add(analyzer);
            _batchers[device] = new InferenceBatcher(analyzer, batching, device, loggers.CreateLogger<InferenceBatcher>());
        }
    }

    public string SiloName { get; }

    public IReadOnlyList<string> Devices { get; }

    public InferenceBatcher Get(string? device = null)
    {
        if (_batchers.Count == 0) throw new InvalidOperationException($"silo '{SiloName}' offers no inference device");
        if (device is not null)
            return _batchers.TryGetValue(device, out var b) ? b : throw new ArgumentException($"silo '{SiloName}' has no device '{device}' (it has {string.Join(", ", Devices)})");
        // least loaded by faces embedded so far: spreads cameras across GPUs
        return _batchers.Values.MinBy(x => x.FacesEmbedded)!;
    }

    /// <summary>Vision settings for a device name: "cpu", "gpu:N" (CUDA on GPU N) or "trt:N" (TensorRT).</summary>
    internal static VisionOptions ForDevice(VisionOptions baseOptions, string device)
    {
        var o = new VisionOptions
        {
            ModelsDirectory = baseOptions.ModelsDirectory, InsightFacePack = baseOptions.InsightFacePack, DetectorModel = baseOptions.DetectorModel,
            SecondEmbedderModel = baseOptions.SecondEmbedderModel, IntraOpThreads = baseOptions.IntraOpThreads, InterOpThreads = baseOptions.InterOpThreads,
            DetectionThreshold = baseOptions.DetectionThreshold, NmsThreshold = baseOptions.NmsThreshold, DetectionInputSize = baseOptions.DetectionInputSize,
            MinFaceSize = baseOptions.MinFaceSize, Keypoints = baseOptions.Keypoints, FlipAugment = baseOptions.FlipAugment,
            MaxBatch = baseOptions.MaxBatch, MaxImagePixels = baseOptions.MaxImagePixels,
        };
        var parts = device.Split(':', 2);
        (o.Device, o.GpuIndex) = parts[0] switch
        {
            "cpu" => (ExecutionDevice.Cpu, 0),
            "gpu" or "cuda" => (ExecutionDevice.Cuda, parts.Length > 1 && int.TryParse(parts[1], out var i) ? i : 0),
            "trt" or "tensorrt" => (ExecutionDevice.TensorRt, parts.Length > 1 && int.TryParse(parts[1], out var j) ? j : 0),
            _ => throw new ArgumentException($"unknown inference device '{device}': use cpu, gpu:N or trt:N"),
        };
        return o;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var b in _batchers.Values) await b.DisposeAsync();
        foreach (var a in _analyzers) a.Dispose();
    }
}
