namespace VideoFace.Media.Ffmpeg;

/// <summary>Tells whether an NVIDIA GPU is usable for decoding.</summary>
public interface IGpuDetector
{
    bool HasNvidiaGpu { get; }
}

/// <summary>Detects an NVIDIA GPU by its control device node, as the driver creates it.</summary>
public sealed class NvidiaDeviceDetector : IGpuDetector
{
    public static readonly NvidiaDeviceDetector Instance = new();

    public bool HasNvidiaGpu => File.Exists("/dev/nvidiactl");
}
