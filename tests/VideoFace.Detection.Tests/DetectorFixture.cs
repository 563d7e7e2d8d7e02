using System.Collections.Concurrent;
using OpenCvSharp;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Onnx;

namespace VideoFace.Detection.Tests;

/// <summary>Opens each test detector once per test class, through <see cref="DetectorFactory"/> on the CPU.</summary>
public sealed class DetectorFixture : IDisposable
{
    public const string Det500m = "det_500m.onnx";
    public const string ScrfdBnkps = "scrfd_500m_bnkps.onnx";
    public const string YuNet = "face_detection_yunet_2023mar.onnx";
    public const string YuNetDynamic = "yunet_s_dynamic.onnx";
    public const string RetinaFace = "retinaface_mnet025.onnx";
    public const string UltraFace = "version-RFB-320.onnx";

    // one face only: Tony_Blair_0001 (the brief's example) also shows a cut-off second face at its left edge, which every detector finds
    public const string LfwPhoto = "faces-dev/George_W_Bush/George_W_Bush_0001.jpg";
    public const string SixFaces = "multiface/insightface-t1.jpg";
    public const string TwoFaces = "multiface/ageitgey-two_people.jpg";

    public static readonly string[] AllModels = [Det500m, ScrfdBnkps, YuNet, YuNetDynamic, RetinaFace, UltraFace];
    public static readonly string[] KeypointModels = [Det500m, ScrfdBnkps, YuNet, YuNetDynamic, RetinaFace];

    private readonly ConcurrentDictionary<string, Lazy<IFaceDetector>> _detectors = new();

    public DetectorFixture()
    {
        Options = new VisionOptions { Device = ExecutionDevice.Cpu, IntraOpThreads = 2 };
        Sessions = new OnnxSessionFactory(Options);
    }

    public VisionOptions Options { get; }

    public OnnxSessionFactory Sessions { get; }

    public IFaceDetector Get(string model) =>
        _detectors.GetOrAdd(model, m => new Lazy<IFaceDetector>(() => DetectorFactory.Create(SharedData.Model(m), Sessions, Options))).Value;

    /// <summary>Reads a shared photo, or makes the plain grey 640×480 frame for "grey".</summary>
    public static Mat Image(string name) =>
        name == "grey" ? new Mat(480, 640, MatType.CV_8UC3, Scalar.All(128)) : Cv2.ImRead(SharedData.Data(name), ImreadModes.Color);

    public void Dispose()
    {
        foreach (var d in _detectors.Values)
            if (d.IsValueCreated) d.Value.Dispose();
    }
}
