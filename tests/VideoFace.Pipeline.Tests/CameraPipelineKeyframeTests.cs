using System.Runtime.CompilerServices;
using OpenCvSharp;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;
using VideoFace.Media.Sources;
using VideoFace.Tracking;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;
using static VideoFace.Tracking.Tests.Synth;

namespace VideoFace.Pipeline.Tests;

/// <summary>
/// The camera pipeline's keyframes and preview on synthetic 1920×1080 frames, tracked by the real tracker: filled white
/// squares are the faces (a stand-in detector finds them), and each frame carries its number as the grey level of a
/// corner patch, so a JPEG can be traced back to the frame it was made from. Each square has two dark "eyes" off its centre.
/// </summary>
public sealed class CameraPipelineKeyframeTests
{
    private const int Width = 1920, Height = 1080;
    private const float Scale = 1280f / 1920f; // keyframes and previews: long side 1280
    private static readonly TimeSpan FrameStep = TimeSpan.FromSeconds(0.5);

    [Fact]
    public async Task Keyframe_BestFaceImproves_IsTheWholeFrameOfThatFaceDownscaledWithItsBox()
    {
        // one face growing for three frames (a better face each time), then smaller (not better)
        Rect[][] frames = [[Square(400, 300, 60)], [Square(430, 310, 80)], [Square(460, 320, 100)], [Square(490, 330, 70)]];
        await using var run = new PipelineRun(frames);
        Assert.Null(run.Pipeline.Preview()); // nothing analysed yet
        await run.RunAsync();

        var started = Assert.Single(run.Notices, n => n.Kind == TrackEventKind.Started);
        var updated = Assert.Single(run.Notices, n => n.Kind == TrackEventKind.Updated);
        var ended = Assert.Single(run.Notices, n => n.Kind == TrackEventKind.Ended);
        Assert.All(run.Notices, n => Assert.NotNull(n.Keyframe));
        AssertKeyframe(started.Keyframe!, frame: 1, frames[1][0]); // confirmed on its second frame, the best so far
        AssertKeyframe(updated.Keyframe!, frame: 2, frames[2][0]);
        // the smaller face of frame 3 changed nothing: the end repeats the very keyframe of the update
        Assert.Same(updated.Keyframe, ended.Keyframe);
    }

    [Fact]
    public async Task Keyframe_TwoFacesBetterInTheSameFrame_ShareOneEncodingWithTheirOwnBoxes()
    {
        Rect[][] frames = [[Square(300, 300, 60), Square(1400, 600, 64)], [Square(310, 300, 90), Square(1390, 600, 96)]];
        await using var run = new PipelineRun(frames);
        await run.RunAsync();

        var started = run.Notices.Where(n => n.Kind == TrackEventKind.Started).OrderBy(n => n.Keyframe!.Box.X1).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].Track.Id, started[1].Track.Id);
        Assert.Same(started[0].Keyframe!.Jpeg, started[1].Keyframe!.Jpeg);
        AssertKeyframe(started[0].Keyframe!, frame: 1, frames[1][0]);
        AssertKeyframe(started[1].Keyframe!, frame: 1, frames[1][1]);
    }

    [Fact]
    public async Task Preview_AfterFrames_IsACopyOfTheLatestFrameWithItsFacesAndTracks()
    {
        Rect[][] frames = [[Square(400, 300, 80)], [Square(420, 300, 80)], [Square(440, 300, 80), Square(1500, 200, 30)]];
        await using var run = new PipelineRun(frames);
        await run.RunAsync(); // the source blanks its (pool-like, reused) buffer once the last frame is analysed

        var preview = run.Pipeline.Preview();
        Assert.NotNull(preview);
        Assert.Equal((1280, 720), (preview.Width, preview.Height));
        Assert.Equal(T0 + 2 * FrameStep, preview.CapturedAt);
        using var image = Decode(preview.Jpeg, 1280, 720);
        Assert.Equal(2, FrameNumber(image)); // the kept copy, not the buffer the source reused

        var track = run.Notices.First(n => n.Kind == TrackEventKind.Started).Track.Id;
        var faces = preview.Faces.OrderBy(f => f.Box.X1).ToList();
        Assert.Equal(2, faces.Count);
        AssertBox(frames[2][0], faces[0].Box);
        Assert.Equal(track, faces[0].TrackId);
        Assert.Equal(0.9f, faces[0].Score);
        AssertBox(frames[2][1], faces[1].Box);
        Assert.Null(faces[1].TrackId); // first seen in this frame: tentative, not announced
        Assert.True(image.At<Vec3b>((int)faces[0].Box.Center.Y, (int)faces[0].Box.Center.X).Item1 > 230, "the box lies on the face");
    }

    [Theory]
    [InlineData(EmbedMode.OnChange, 4)] // 3 first faces, then one a second (every other frame at 2 fps)
    [InlineData(EmbedMode.EveryFace, 6)]
    public async Task EmbedPolicy_SteadyFace_SkippedFacesStaySightingsButNotEvidence(EmbedMode mode, int embedded)
    {
        // six frames: from the seventh on, the painted frame number turns the corner patch white (a second "face")
        var frames = Enumerable.Range(0, 6).Select(_ => new[] { Square(600, 400, 100) }).ToArray();
        await using var run = new PipelineRun(frames, mode);
        await run.RunAsync();

        Assert.Equal(embedded, run.Batcher.FacesEmbedded);
        Assert.Equal(6, run.Pipeline.Status.FacesDetected);
        var ended = Assert.Single(run.Notices, n => n.Kind == TrackEventKind.Ended);
        Assert.Equal(6, ended.Track.HitCount); // every face is a sighting of the track
        Assert.Equal(embedded, ended.Track.EvidenceFaces); // only embedded ones are evidence
        Assert.NotNull(ended.Track.Embedding);
        Assert.NotNull(ended.Track.BestFace.Embedding); // the best face (thumbnail, keyframe) is an embedded one
        Assert.All(run.Notices, n => Assert.NotNull(n.Keyframe));
    }

    [Fact]
    public void LatestFrame_SmallFrame_KeptAtItsSizeAndNotAliased()
    {
        var latest = new LatestFrame();
        Assert.False(latest.HasFrame);
        Assert.Null(latest.Render());
        using var frame = Paint(640, 480, 3, [new Rect(100, 120, 50, 50)]);
        var pixels = new byte[640 * 480 * 3];
        System.Runtime.InteropServices.Marshal.Copy(frame.Data, pixels, 0, pixels.Length);
        var face = new PreviewFace(new FaceBox(100, 120, 150, 170), 0.8f, "t1");
        latest.Update(pixels, 640, 480, T0, [face]);
        Array.Clear(pixels); // the caller's buffer is reused at once

        var preview = latest.Render()!;
        Assert.Equal((640, 480), (preview.Width, preview.Height));
        Assert.Equal(face, Assert.Single(preview.Faces));
        using var image = Decode(preview.Jpeg, 640, 480);
        Assert.Equal(3, FrameNumber(image));
        Assert.Throws<ArgumentException>(() => latest.Update(new byte[10], 640, 480, T0, []));
    }

    private static Rect Square(int x, int y, int size) => new(x, y, size, size);

    private static void AssertKeyframe(Keyframe keyframe, int frame, Rect face)
    {
        Assert.Equal((1280, 720), (keyframe.Width, keyframe.Height));
        using var image = Decode(keyframe.Jpeg, 1280, 720);
        Assert.Equal(frame, FrameNumber(image));
        AssertBox(face, keyframe.Box);
        var c = keyframe.Box.Center;
        Assert.True(image.At<Vec3b>((int)c.Y, (int)c.X).Item1 > 230, $"the keyframe box {keyframe.Box} lies on the white face");
    }

    private static void AssertBox(Rect full, FaceBox box)
    {
        Assert.Equal(full.X * Scale, box.X1, 0.01f);
        Assert.Equal(full.Y * Scale, box.Y1, 0.01f);
        Assert.Equal(full.Width * Scale, box.Width, 0.01f);
        Assert.Equal(full.Height * Scale, box.Height, 0.01f);
    }

    private static Mat Decode(byte[] jpeg, int width, int height)
    {
        Assert.True(jpeg.Length > 2 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "a JPEG");
        var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((width, height), (image.Cols, image.Rows));
        return image;
    }

    /// <summary>The frame number painted into the corner patch (grey 20 + 40 × n), read back from a possibly scaled JPEG.</summary>
    private static int FrameNumber(Mat image)
    {
        int grey = image.At<Vec3b>(10, 10).Item1;
        return (int)Math.Round((grey - 20) / 40.0);
    }

    /// <summary>A grey BGR frame with white faces and its number in a 60×60 corner patch.</summary>
    private static Mat Paint(int width, int height, int number, IEnumerable<Rect> faces)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3, new Scalar(128, 128, 128));
        var level = 20 + 40 * number;
        Cv2.Rectangle(mat, new Rect(0, 0, 60, 60), new Scalar(level, level, level), -1);
        foreach (var f in faces)
        {
            Cv2.Rectangle(mat, f, Scalar.White, -1);
            // two dark "eyes" inside (the detector keeps the square's outline; the centre stays white): a face with some
            // texture, so its thumbprint is not flat
            int eye = Math.Max(2, f.Width / 8);
            Cv2.Rectangle(mat, new Rect(f.X + f.Width / 4, f.Y + f.Height / 3, eye, eye), Scalar.Black, -1);
            Cv2.Rectangle(mat, new Rect(f.X + 5 * f.Width / 8, f.Y + f.Height / 3, eye, eye), Scalar.Black, -1);
        }
        return mat;
    }

    /// <summary>A pipeline over the frames with the real tracker, a stand-in detector and embedder, and a recording sink.</summary>
    private sealed class PipelineRun : IAsyncDisposable
    {
        private readonly FaceAnalyzer _analyzer;
        private readonly InferenceBatcher _batcher;
        private readonly RecordingSink _sink = new();

        public PipelineRun(Rect[][] frames, EmbedMode? embedding = null)
        {
            (_analyzer, _batcher) = StandIns.Batcher();
            // the painted faces are flat white squares, sharpness 0: the sharpness term is off so that size decides the best face
            var options = new TrackerOptions { FullQualitySharpness = 0 };
            if (embedding is { } mode) options.EmbedPolicy.Mode = mode;
            Pipeline = new CameraPipeline("cam1", new PaintedSource(frames), _batcher, new FaceTracker("cam1", options, session: "test"), _sink)
            {
                EmbedPolicy = embedding is null ? null : new EmbedPolicy(options),
                // the frames carry the painted clock (T0 + n × step), housekeeping expires tracks by the wall clock: on a
                // slow machine a tick mid-run would end every track as long gone, so no tick comes during a run
                StatusInterval = TimeSpan.FromHours(1),
            };
        }

        public CameraPipeline Pipeline { get; }

        public InferenceBatcher Batcher => _batcher;

        public IReadOnlyList<TrackNotice> Notices => _sink.Notices;

        public Task RunAsync() => Pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        public async ValueTask DisposeAsync()
        {
            await _batcher.DisposeAsync();
            _analyzer.Dispose();
        }
    }

    private sealed class RecordingSink : ITrackSink
    {
        private readonly List<TrackNotice> _notices = [];

        public IReadOnlyList<TrackNotice> Notices
        {
            get { lock (_notices) return [.. _notices]; }
        }

        public Task OnTrackAsync(string cameraId, TrackNotice notice, CancellationToken ct)
        {
            lock (_notices) _notices.Add(notice);
            return Task.CompletedTask;
        }

        public Task OnStatusAsync(string cameraId, CameraIngestStatus status, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>Frames painted one after another into one reused buffer, as a decoder's pool would; blanked after the last.</summary>
    private sealed class PaintedSource(Rect[][] frames) : IFrameSource
    {
        private readonly byte[] _buffer = new byte[Width * Height * 3];
        private long _delivered;

        public string Source => "painted";

        public SourceHealth Health { get; private set; } = SourceHealth.Initial(T0);

        public IReadOnlyList<SourceHealth> HealthHistory => [Health];

        public StreamInfo? Stream => new("rawvideo", Width, Height, 1 / FrameStep.TotalSeconds);

        public FrameSourceCounters Counters => new(Interlocked.Read(ref _delivered), 0, 1);

        public event EventHandler<SourceHealth>? HealthChanged { add { } remove { } }

        public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken ct = default)
        {
            Health = new SourceHealth(HealthState.Streaming, HealthReason.None, null, T0);
            for (int i = 0; i < frames.Length && !ct.IsCancellationRequested; i++)
            {
                using (var mat = Paint(Width, Height, i, frames[i]))
                    System.Runtime.InteropServices.Marshal.Copy(mat.Data, _buffer, 0, _buffer.Length);
                Interlocked.Increment(ref _delivered);
                yield return VideoFrame.FromBgr(_buffer, Width, Height, T0 + i * FrameStep);
            }
            Array.Clear(_buffer); // the "pool" hands the buffer to someone else
            Health = new SourceHealth(HealthState.Ended, HealthReason.None, null, T0);
            await Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
