namespace VideoFace.Vision.Onnx;

/// <summary>Where inference runs; chosen once at start.</summary>
public enum ExecutionDevice
{
    /// <summary>CUDA (TensorRT first where present) when a GPU is there, otherwise CPU.</summary>
    Auto,
    Cpu,
    Cuda,
    TensorRt,
}
