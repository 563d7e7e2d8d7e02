using OpenCvSharp;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Pipeline.Tests;

/// <summary>A stand-in detector and embedder: frames whose faces are white squares analysed without models.</summary>
internal static class StandIns
{
    /// <summary>A batcher over the stand-ins that sends each frame at once.</summary>
    public static (FaceAnalyzer Analyzer, InferenceBatcher Batcher) Batcher()
    {
        var analyzer = new FaceAnalyzer(new WhiteSquareDetector(), null, new ConstantEmbedder(), new VisionOptions { FlipAugment = false });
        return (analyzer, new InferenceBatcher(analyzer, new InferenceBatcherOptions { MaxWait = TimeSpan.Zero }));
    }

    /// <summary>Finds filled white rectangles; key points are the ArcFace template laid over each (a frontal face).</summary>
    internal sealed class WhiteSquareDetector : IFaceDetector
    {
        public string Name => "white-squares";

        public bool ProvidesKeypoints => true;

        public IReadOnlyList<DetectedFace> Detect(Mat bgr)
        {
            using var grey = bgr.CvtColor(ColorConversionCodes.BGR2GRAY);
            using var mask = grey.Threshold(250, 255, ThresholdTypes.Binary);
            Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
            return contours.Select(c => Cv2.BoundingRect(c))
                .Select(r => new FaceBox(r.X, r.Y, r.X + r.Width, r.Y + r.Height))
                .Select(b => new DetectedFace(b, 0.9f, Keypoints(b)))
                .ToList();
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Every crop embeds to the same vector: association is by position alone.</summary>
    internal sealed class ConstantEmbedder : IFaceEmbedder
    {
        public string Name => "constant";

        public int Dimension => 8;

        public int InputSize => 112;

        public float[][] Embed(IReadOnlyList<Mat> alignedBgr) =>
            alignedBgr.Select(_ => new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }).ToArray();

        public void Dispose()
        {
        }
    }
}
