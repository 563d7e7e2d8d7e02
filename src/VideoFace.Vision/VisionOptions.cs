using VideoFace.Vision.Onnx;

namespace VideoFace.Vision;

/// <summary>Settings of the face-analysis pipeline (configuration section "Vision").</summary>
public sealed class VisionOptions
{
    public const string SectionName = "Vision";

    /// <summary>Folder with the default pack's files and the manifest (models/ of the repository by default).</summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>An InsightFace pack folder (buffalo_l, buffalo_s, antelopev2 or user-supplied); null uses the default pack.</summary>
    public string? InsightFacePack { get; set; }

    /// <summary>Optional detector model overriding the pack's (an SCRFD, YuNet, RetinaFace or UltraFace ONNX file).</summary>
    public string? DetectorModel { get; set; }

    /// <summary>Optional second embedder whose normed embedding is concatenated with the first (fusion), or null.</summary>
    public string? SecondEmbedderModel { get; set; }

    public ExecutionDevice Device { get; set; } = ExecutionDevice.Auto;
    public int GpuIndex { get; set; }
    public int IntraOpThreads { get; set; } = Math.Max(1, Environment.ProcessorCount);
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Minimum detector confidence; null uses the detector's own default (UltraFace 0.7, SCRFD 0.5, YuNet 0.6, RetinaFace 0.5).</summary>
    public float? DetectionThreshold { get; set; }

    /// <summary>NMS overlap; null uses the detector's own (UltraFace and YuNet 0.3, SCRFD and RetinaFace 0.4).</summary>
    public float? NmsThreshold { get; set; }

    /// <summary>Input side for detectors with free height and width (SCRFD, dynamic YuNet), a multiple of 32; null = 640.</summary>
    public int? DetectionInputSize { get; set; }

    /// <summary>Faces whose shorter box side is below this many pixels are ignored.</summary>
    public int MinFaceSize { get; set; } = 20;

    /// <summary>Where the 5 alignment points come from: the detector's key points when it has them, or the landmark model.</summary>
    public KeypointSource Keypoints { get; set; } = KeypointSource.Auto;

    /// <summary>Sum the embedding of the horizontally flipped crop with the original (as InsightFace's evaluation does).</summary>
    public bool FlipAugment { get; set; } = true;

    /// <summary>Largest embedder batch per model call.</summary>
    public int MaxBatch { get; set; } = 32;

    /// <summary>Images above this many pixels are refused before decoding.</summary>
    public long MaxImagePixels { get; set; } = 64L * 1024 * 1024;

    /// <summary>Returns the problems of this configuration, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IntraOpThreads < 1) errors.Add($"{SectionName}:IntraOpThreads must be at least 1 (was {IntraOpThreads})");
        if (InterOpThreads < 1) errors.Add($"{SectionName}:InterOpThreads must be at least 1 (was {InterOpThreads})");
        if (DetectionThreshold is not null and (<= 0 or >= 1)) errors.Add($"{SectionName}:DetectionThreshold must be in (0, 1) (was {DetectionThreshold})");
        if (DetectionInputSize is { } side && (side < 32 || side > 4096 || side % 32 != 0))
            errors.Add($"{SectionName}:DetectionInputSize must be a multiple of 32 (was {DetectionInputSize})");
        if (NmsThreshold is not null and (<= 0 or >= 1)) errors.Add($"{SectionName}:NmsThreshold must be in (0, 1) (was {NmsThreshold})");
        if (MinFaceSize < 0) errors.Add($"{SectionName}:MinFaceSize must not be negative (was {MinFaceSize})");
        if (MaxBatch < 1) errors.Add($"{SectionName}:MaxBatch must be at least 1 (was {MaxBatch})");
        if (MaxImagePixels < 1) errors.Add($"{SectionName}:MaxImagePixels must be positive (was {MaxImagePixels})");
        if (GpuIndex < 0) errors.Add($"{SectionName}:GpuIndex must not be negative (was {GpuIndex})");
        if (InsightFacePack is not null && !Directory.Exists(InsightFacePack))
            errors.Add($"{SectionName}:InsightFacePack folder not found: {InsightFacePack}");
        return errors;
    }
}

/// <summary>Source of the 5 alignment key points.</summary>
public enum KeypointSource
{
    /// <summary>The detector's key points where it has them, else the landmark model.</summary>
    Auto,
    Detector,
    LandmarkModel,
}
