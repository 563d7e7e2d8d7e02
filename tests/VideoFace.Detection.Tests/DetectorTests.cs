using OpenCvSharp;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Onnx;
using static VideoFace.Detection.Tests.DetectorFixture;

namespace VideoFace.Detection.Tests;

/// <summary>The face detectors on real photos and real models from ../shared.</summary>
public sealed class DetectorTests(DetectorFixture fixture) : IClassFixture<DetectorFixture>
{
    public static TheoryData<string, string, int> CountCases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var model in AllModels)
        {
            data.Add(model, LfwPhoto, 1);
            data.Add(model, SixFaces, 6);
            data.Add(model, TwoFaces, 2);
            data.Add(model, "grey", 0);
        }
        return data;
    }

    public static TheoryData<string> KeypointDetectors() => [.. KeypointModels];

    [SharedDataTheory]
    [MemberData(nameof(CountCases))]
    public void Detector_TestPhoto_FindsExpectedFaceCount(string model, string image, int expected)
    {
        using var img = Image(image);
        var faces = fixture.Get(model).Detect(img);
        Assert.True(faces.Count == expected,
            $"{model} on {image}: expected {expected} faces, found {faces.Count} (scores {string.Join(", ", faces.Select(f => f.Score.ToString("F2")))})");
    }

    [SharedDataTheory]
    [InlineData(Det500m, typeof(ScrfdDetector))]
    [InlineData(ScrfdBnkps, typeof(ScrfdDetector))]
    [InlineData(YuNet, typeof(YuNetDetector))]
    [InlineData(YuNetDynamic, typeof(YuNetDetector))]
    [InlineData(RetinaFace, typeof(RetinaFaceDetector))]
    [InlineData(UltraFace, typeof(UltraFaceDetector))]
    public void DetectorFactory_TestModel_PicksMatchingDecoder(string model, Type expected)
    {
        var detector = fixture.Get(model);
        Assert.IsType(expected, detector);
        Assert.Equal(expected != typeof(UltraFaceDetector), detector.ProvidesKeypoints);
    }

    [SharedDataFact]
    public void Scrfd_BatchedAndUnbatchedExports_GiveSameFacesWithinOnePixel()
    {
        using var img = Image(SixFaces);
        var a = fixture.Get(Det500m).Detect(img);
        var b = fixture.Get(ScrfdBnkps).Detect(img);
        Assert.Equal(6, a.Count);
        Assert.Equal(a.Count, b.Count);
        foreach (var fa in a)
        {
            var fb = b.MaxBy(f => f.Box.IoU(fa.Box))!;
            Assert.InRange(Math.Abs(fa.Box.X1 - fb.Box.X1), 0, 1);
            Assert.InRange(Math.Abs(fa.Box.Y1 - fb.Box.Y1), 0, 1);
            Assert.InRange(Math.Abs(fa.Box.X2 - fb.Box.X2), 0, 1);
            Assert.InRange(Math.Abs(fa.Box.Y2 - fb.Box.Y2), 0, 1);
            Assert.InRange(Math.Abs(fa.Score - fb.Score), 0, 1e-3);
            for (int k = 0; k < 5; k++)
            {
                Assert.InRange(Math.Abs(fa.Keypoints![k].X - fb.Keypoints![k].X), 0, 1);
                Assert.InRange(Math.Abs(fa.Keypoints[k].Y - fb.Keypoints[k].Y), 0, 1);
            }
        }
    }

    [SharedDataTheory]
    [MemberData(nameof(KeypointDetectors))]
    public void KeypointDetector_Faces_KeypointsInsideBoxInTemplateOrder(string model)
    {
        foreach (var image in new[] { LfwPhoto, SixFaces, TwoFaces })
        {
            using var img = Image(image);
            var faces = fixture.Get(model).Detect(img);
            Assert.NotEmpty(faces);
            foreach (var face in faces)
            {
                var p = face.Keypoints;
                Assert.NotNull(p);
                Assert.Equal(5, p.Length);
                var b = face.Box;
                foreach (var pt in p)
                    Assert.True(pt.X >= b.X1 && pt.X <= b.X2 && pt.Y >= b.Y1 && pt.Y <= b.Y2, $"{model} on {image}: key point {pt} outside box {b}");
                // ArcFace-template order: left eye, right eye, nose, left mouth corner, right mouth corner (image's left)
                Assert.True(p[0].X < p[1].X, $"{model} on {image}: eyes not left-to-right ({p[0]}, {p[1]})");
                Assert.True(p[3].X < p[4].X, $"{model} on {image}: mouth corners not left-to-right ({p[3]}, {p[4]})");
                float eyeY = (p[0].Y + p[1].Y) / 2, mouthY = (p[3].Y + p[4].Y) / 2;
                Assert.True(eyeY < p[2].Y && p[2].Y < mouthY, $"{model} on {image}: nose {p[2]} not between eyes (y {eyeY}) and mouth (y {mouthY})");
            }
        }
    }

    [SharedDataTheory]
    [MemberData(nameof(KeypointDetectors))]
    [InlineData(UltraFace)]
    public void Detector_PhotoPaddedIntoWideCanvas_BoxMapsBackToPhoto(string model)
    {
        using var photo = Image(LfwPhoto);
        using var canvas = Canvas(photo, 700, 300);
        var detector = fixture.Get(model);
        var alone = Assert.Single(detector.Detect(photo));
        var placed = Assert.Single(detector.Detect(canvas));
        // the canvas reaches the network at a quarter to half of the photo's resolution, so the detector itself
        // is less precise there; the tight check of the mapping is the translation test below
        AssertMoved(alone, placed, 700, 300, Math.Max(4f, 0.12f * alone.Box.Width));
    }

    [SharedDataTheory]
    [MemberData(nameof(KeypointDetectors))]
    [InlineData(UltraFace)]
    public void Detector_PhotoMovedWithinWideCanvas_BoxMovesByTheOffset(string model)
    {
        // 640 and 192 source pixels are whole multiples of the coarsest stride (32) at every model's input scale
        // (1/2 for the 640 letterbox, 1/4 × 1/3 for UltraFace's 320×240), so the network sees the same pixels shifted
        using var photo = Image(LfwPhoto);
        using var first = Canvas(photo, 60, 108);
        using var second = Canvas(photo, 60 + 640, 108 + 192);
        var detector = fixture.Get(model);
        var a = Assert.Single(detector.Detect(first));
        var b = Assert.Single(detector.Detect(second));
        AssertMoved(a, b, 640, 192, 1.5f);
    }

    private static Mat Canvas(Mat photo, int x, int y)
    {
        var canvas = new Mat(720, 1280, MatType.CV_8UC3, Scalar.All(0));
        using var roi = new Mat(canvas, new Rect(x, y, photo.Cols, photo.Rows));
        photo.CopyTo(roi);
        return canvas;
    }

    private static void AssertMoved(DetectedFace from, DetectedFace to, float dx, float dy, float tol)
    {
        Assert.InRange(to.Box.X1 - dx, from.Box.X1 - tol, from.Box.X1 + tol);
        Assert.InRange(to.Box.Y1 - dy, from.Box.Y1 - tol, from.Box.Y1 + tol);
        Assert.InRange(to.Box.X2 - dx, from.Box.X2 - tol, from.Box.X2 + tol);
        Assert.InRange(to.Box.Y2 - dy, from.Box.Y2 - tol, from.Box.Y2 + tol);
        if (from.Keypoints is not { } pf || to.Keypoints is not { } pt) return;
        for (int k = 0; k < 5; k++)
        {
            Assert.InRange(pt[k].X - dx, pf[k].X - tol, pf[k].X + tol);
            Assert.InRange(pt[k].Y - dy, pf[k].Y - tol, pf[k].Y + tol);
        }
    }

    [SharedDataFact]
    public void DetectorFactory_RecogniserModel_ThrowsModelLoadExceptionNamingFile()
    {
        var path = SharedData.Model("mobilefacenet_128d.onnx");
        var ex = Assert.Throws<ModelLoadException>(() => DetectorFactory.Create(path, fixture.Sessions, fixture.Options));
        Assert.Contains("mobilefacenet_128d.onnx", ex.Message);
        Assert.Contains("SCRFD", ex.Message);
    }

    [SharedDataFact]
    public void Scrfd_DynamicModelAt320_FindsSameFacesFaster()
    {
        using var detector = DetectorFactory.Create(SharedData.Model(Det500m), fixture.Sessions, fixture.Options, inputSize: 320);
        var scrfd = Assert.IsType<ScrfdDetector>(detector);
        Assert.Equal(new Size(320, 320), scrfd.InputSize);
        using var lfw = Image(LfwPhoto);
        using var two = Image(TwoFaces);
        Assert.Single(detector.Detect(lfw));
        Assert.Equal(2, detector.Detect(two).Count);
    }

    [SharedDataFact]
    public void Scrfd_FixedModelWithRequestedSize_KeepsModelSize()
    {
        using var detector = DetectorFactory.Create(SharedData.Model(ScrfdBnkps), fixture.Sessions, fixture.Options, inputSize: 320);
        Assert.Equal(new Size(640, 640), Assert.IsType<ScrfdDetector>(detector).InputSize);
    }

    [SharedDataFact]
    public void Detector_ThresholdAndMinFaceOptions_AreHonoured()
    {
        using var img = Image(SixFaces);
        var strict = new VisionOptions { Device = ExecutionDevice.Cpu, DetectionThreshold = 0.99f };
        using (var detector = DetectorFactory.Create(SharedData.Model(Det500m), fixture.Sessions, strict))
            Assert.True(detector.Detect(img).Count < 6);
        var bigOnly = new VisionOptions { Device = ExecutionDevice.Cpu, MinFaceSize = 10_000 };
        using (var detector = DetectorFactory.Create(SharedData.Model(YuNet), fixture.Sessions, bigOnly))
            Assert.Empty(detector.Detect(img));
    }

    [SharedDataTheory]
    [MemberData(nameof(KeypointDetectors))]
    public void KeypointDetector_EmptyImage_ThrowsArgumentException(string model)
    {
        using var empty = new Mat();
        Assert.Throws<ArgumentException>(() => fixture.Get(model).Detect(empty));
    }
}
