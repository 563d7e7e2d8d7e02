using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace VideoFace.Vision.Onnx;

/// <summary>Creates ONNX Runtime sessions on the configured device and thread counts, with clear errors for bad model files.</summary>
public sealed partial class OnnxSessionFactory
{
    private readonly VisionOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<string> _provider;

    public OnnxSessionFactory(VisionOptions options, ILogger<OnnxSessionFactory>? logger = null)
    {
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _provider = new Lazy<string>(ChooseProvider);
    }

    /// <summary>The execution provider every session of this factory uses ("CUDA", "TensorRT" or "CPU").</summary>
    public string Provider => _provider.Value;

    /// <summary>Opens a model, optionally after rewriting its batch dimension to be dynamic.</summary>
    public InferenceSession Open(string path, bool dynamicBatch = false)
    {
        if (!File.Exists(path))
            throw new ModelLoadException(path, "file not found (run the setup step, or check the models directory setting)");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new ModelLoadException(path, "cannot be read: " + ex.Message, ex);
        }
        if (bytes.Length == 0) throw new ModelLoadException(path, "file is empty; expected an ONNX model");
        if (dynamicBatch)
        {
            try
            {
                bytes = OnnxGraphRewriter.MakeBatchDynamic(bytes);
            }
            catch (FormatException ex)
            {
                throw new ModelLoadException(path, "not a valid ONNX model: " + ex.Message, ex);
            }
        }
        var so = CreateOptions(dynamicBatch);
        try
        {
            return new InferenceSession(bytes, so);
        }
        catch (OnnxRuntimeException ex)
        {
            so.Dispose();
            throw new ModelLoadException(path, "ONNX Runtime cannot load it as a model: " + FirstLine(ex.Message), ex);
        }
    }

    private SessionOptions CreateOptions(bool dynamicBatch)
    {
        var so = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = _options.IntraOpThreads,
            InterOpNumThreads = _options.InterOpThreads,
            // A memory pattern is planned (and a block of the arena kept) for each input shape a session sees: right
            // for the fixed-size detector, but a session with a dynamic batch sees up to MaxBatch shapes and its
            // memory would grow with every new batch size. Without the pattern, tensors come from the arena's bins
            // and are reused across sizes (measured: flat, and no slower).
            EnableMemoryPattern = !dynamicBatch,
        };
        switch (Provider)
        {
            case "TensorRT":
                so.AppendExecutionProvider_Tensorrt(_options.GpuIndex);
                so.AppendExecutionProvider_CUDA(_options.GpuIndex);
                break;
            case "CUDA":
                so.AppendExecutionProvider_CUDA(_options.GpuIndex);
                break;
        }
        return so;
    }

    private string ChooseProvider()
    {
        var available = OrtEnv.Instance().GetAvailableProviders();
        string chosen = "CPU";
        string reason;
        if (_options.Device == ExecutionDevice.Cpu)
        {
            reason = "configured";
        }
        else if (!available.Contains("CUDAExecutionProvider"))
        {
            reason = "this ONNX Runtime build has no CUDA provider";
        }
        else if (!GpuProbe.HasNvidiaGpu())
        {
            reason = "no NVIDIA GPU found";
        }
        else
        {
            chosen = TryGpu(available, out reason);
        }
        if (chosen == "CPU" && _options.Device is ExecutionDevice.Cuda or ExecutionDevice.TensorRt)
            LogGpuRequestedButUnavailable(_logger, _options.Device.ToString(), reason);
        LogProviderChosen(_logger, chosen, reason, _options.IntraOpThreads, _options.InterOpThreads);
        return chosen;
    }

    private string TryGpu(string[] available, out string reason)
    {
        bool tensorRt = _options.Device is ExecutionDevice.TensorRt or ExecutionDevice.Auto
                        && available.Contains("TensorrtExecutionProvider") && GpuProbe.HasTensorRt();
        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(_options.GpuIndex);
            reason = $"GPU {_options.GpuIndex}";
            return tensorRt ? "TensorRT" : "CUDA";
        }
        catch (OnnxRuntimeException ex)
        {
            reason = "CUDA provider failed to start: " + FirstLine(ex.Message);
            return "CPU";
        }
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference on {Provider} ({Reason}); intra-op threads {Intra}, inter-op threads {Inter}")]
    private static partial void LogProviderChosen(ILogger logger, string provider, string reason, int intra, int inter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Device} was requested but is not available ({Reason}); falling back to CPU")]
    private static partial void LogGpuRequestedButUnavailable(ILogger logger, string device, string reason);
}

/// <summary>Cheap checks for a usable NVIDIA GPU and TensorRT without touching CUDA.</summary>
internal static class GpuProbe
{
    public static bool HasNvidiaGpu() =>
        File.Exists("/dev/nvidiactl") || File.Exists("/proc/driver/nvidia/version");

    public static bool HasTensorRt() =>
        NativeLibraryExists("libnvinfer.so.10") || NativeLibraryExists("libnvinfer.so.8");

    private static bool NativeLibraryExists(string name)
    {
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out var handle)) return false;
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return true;
    }
}
