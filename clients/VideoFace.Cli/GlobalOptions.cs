using System.CommandLine;
using VideoFace.Vision;
using VideoFace.Vision.Onnx;

namespace VideoFace.Cli;

/// <summary>Options every command understands (recursive on the root command).</summary>
internal static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON instead of human output", Recursive = true };
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log pipeline details to stderr", Recursive = true };
    public static readonly Option<string?> Data = new("--data") { Description = "Data folder (facebank, state); default $VIDEOFACE_DATA or ~/.local/share/videoface", Recursive = true };
    public static readonly Option<string?> Models = new("--models") { Description = "Models folder with manifest.json (default: the repository's models/)", Recursive = true };
    public static readonly Option<string?> Pack = new("--pack") { Description = "InsightFace model-pack folder (buffalo_l, buffalo_s, antelopev2, ...) instead of the default pack", Recursive = true };
    public static readonly Option<string?> Detector = new("--detector") { Description = "Detector ONNX file overriding the pack's (SCRFD, YuNet, RetinaFace, UltraFace)", Recursive = true };
    public static readonly Option<string?> SecondEmbedder = new("--fuse") { Description = "Second recogniser ONNX file whose embedding is fused with the first", Recursive = true };
    public static readonly Option<ExecutionDevice> Device = new("--device") { Description = "auto (GPU when present), cpu, cuda or tensorrt", DefaultValueFactory = _ => ExecutionDevice.Auto, Recursive = true };
    public static readonly Option<int?> Threads = new("--threads") { Description = "ONNX Runtime intra-op threads (default: all cores)", Recursive = true };
    public static readonly Option<float?> DetThreshold = new("--det-threshold") { Description = "Minimum detector confidence (default: the detector's own)", Recursive = true };
    public static readonly Option<int?> DetSize = new("--det-size") { Description = "Detector input side for SCRFD/YuNet, a multiple of 32 (default 640)", Recursive = true };
    public static readonly Option<bool> NoFlip = new("--no-flip") { Description = "Do not add the horizontally flipped face's embedding", Recursive = true };
    public static readonly Option<KeypointSource> Keypoints = new("--keypoints") { Description = "Alignment points from: auto, detector, landmarkmodel", DefaultValueFactory = _ => KeypointSource.Auto, Recursive = true };

    public static void AddTo(RootCommand root)
    {
        foreach (var o in new Option[] { Json, Verbose, Data, Models, Pack, Detector, SecondEmbedder, Device, Threads, DetThreshold, DetSize, NoFlip, Keypoints })
            root.Options.Add(o);
    }

    /// <summary>Vision settings from the command line.</summary>
    public static VisionOptions Vision(ParseResult pr)
    {
        var o = new VisionOptions
        {
            ModelsDirectory = pr.GetValue(Models),
            InsightFacePack = pr.GetValue(Pack),
            DetectorModel = pr.GetValue(Detector),
            SecondEmbedderModel = pr.GetValue(SecondEmbedder),
            Device = pr.GetValue(Device),
            FlipAugment = !pr.GetValue(NoFlip),
            Keypoints = pr.GetValue(Keypoints),
        };
        if (pr.GetValue(Threads) is { } t) o.IntraOpThreads = t;
        if (pr.GetValue(DetThreshold) is { } d) o.DetectionThreshold = d;
        if (pr.GetValue(DetSize) is { } s) o.DetectionInputSize = s;
        return o;
    }

    /// <summary>The data folder a command uses without --data: $VIDEOFACE_DATA, else ~/.local/share/videoface.</summary>
    public static string DefaultDataDirectory() => Environment.GetEnvironmentVariable("VIDEOFACE_DATA")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "videoface");

    /// <summary>The data folder, created if needed.</summary>
    public static string DataDirectory(ParseResult pr)
    {
        var dir = pr.GetValue(Data) ?? DefaultDataDirectory();
        Directory.CreateDirectory(dir);
        return dir;
    }
}
