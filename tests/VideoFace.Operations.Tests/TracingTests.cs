using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Pipeline;

namespace VideoFace.Operations.Tests;

/// <summary>
/// The embedded host with a real RTSP camera showing an unknown face and a rule on unknown faces: the spans the host
/// emits form one trace per alert, from the frame the face was analysed in, through the track notice and the identity
/// event, to the alert (which crosses a stream, where the trace travels inside the event).
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private const string Camera = "lobby";
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private RtspServer _rtsp = null!;
    private EmbeddedHost _host = null!;

    public TracingTests()
    {
        // the same sources the host's OpenTelemetry exporter listens to, Orleans' grain-call spans included
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is VideoFaceActivities.SourceName or "Microsoft.Orleans.Runtime" or "Microsoft.Orleans.Application",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync()
    {
        var folder = TestVideos.TempFolder("ops-tracing-video");
        var video = await FaceVideo.CreateAsync(Path.Combine(folder, "face.mp4"), [TestData.Face("Tony_Blair", 2)]);
        _rtsp = new RtspServer(video);
        await _rtsp.StartAsync();
        _host = await EmbeddedHost.StartAsync("ops-tracing");
        using (var rule = _host.Authorized(HttpMethod.Post, "/api/alerts/rules"))
        {
            rule.Content = JsonContent.Create(new { id = "strangers", kind = "unknown", cameras = new[] { Camera } });
            using var r = await _host.Http.SendAsync(rule);
            r.EnsureSuccessStatusCode();
        }
        using var put = _host.Authorized(HttpMethod.Put, $"/api/cameras/{Camera}");
        put.Content = JsonContent.Create(new { url = _rtsp.Url.ToString(), fps = 4 });
        using var p = await _host.Http.SendAsync(put);
        p.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _rtsp.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task Alert_IsOneTraceFromTheFrame_ThroughTrackAndIdentityEvent()
    {
        Activity? alert = null;
        await Poll.UntilAsync(() => (alert = Spans(VideoFaceActivities.Alert).FirstOrDefault(a => a.TraceId == TraceOfCameraFrame(a.TraceId))) is not null,
            TimeSpan.FromSeconds(90), "an alert span in the trace of a frame of the camera");

        var trace = _spans.Where(s => s.TraceId == alert!.TraceId).ToList();
        var byId = trace.ToDictionary(s => s.SpanId);
        // walk from the alert to the root: every hop is a recorded span of this trace
        var chain = new List<Activity>();
        for (var s = alert; s is not null; s = s.ParentSpanId == default ? null : byId.GetValueOrDefault(s.ParentSpanId))
            chain.Add(s);
        var names = chain.Select(s => s.OperationName).ToList();
        var shown = string.Join(" <- ", names);

        Assert.Equal(VideoFaceActivities.Frame, names[^1]); // the root is the frame
        Assert.Equal(default, chain[^1].ParentSpanId);
        Assert.Equal(Camera, chain[^1].GetTagItem(VideoFaceActivities.CameraTag));
        // the order of the stages on the way down: frame -> track -> identity event -> alert
        int Position(string name) => names.IndexOf(name);
        Assert.True(Position(VideoFaceActivities.IdentityEvent) > 0, shown);
        Assert.True(Position(VideoFaceActivities.Track) > Position(VideoFaceActivities.IdentityEvent), shown);
        Assert.True(Position(VideoFaceActivities.Frame) > Position(VideoFaceActivities.Track), shown);
        Assert.Equal(Camera, chain.First(s => s.OperationName == VideoFaceActivities.Track).GetTagItem(VideoFaceActivities.CameraTag));
        // the identity event's grain call is an Orleans span between the track and the event
        Assert.Contains(chain.Skip(Position(VideoFaceActivities.IdentityEvent) + 1).Take(Position(VideoFaceActivities.Track) - Position(VideoFaceActivities.IdentityEvent) - 1),
            s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        // the frame's inference is a child of the frame, not of anything else
        Assert.Contains(trace, s => s.OperationName == VideoFaceActivities.Inference && s.ParentSpanId == chain[^1].SpanId);
    }

    [Fact]
    public async Task FramesWithoutFaces_AreTheirOwnTraces_AndEveryFrameIsARoot()
    {
        await Poll.UntilAsync(() => Spans(VideoFaceActivities.Frame).Count(CameraFrame) >= 4, TimeSpan.FromSeconds(60), "four frame spans of the camera");
        var frames = Spans(VideoFaceActivities.Frame).Where(CameraFrame).ToList();
        // each frame starts a trace of its own: no frame is the child of another span (e.g. the previous frame)
        Assert.All(frames, f => Assert.Equal(default, f.ParentSpanId));
        Assert.Equal(frames.Count, frames.Select(f => f.TraceId).Distinct().Count());
        Assert.All(frames, f => Assert.NotNull(f.GetTagItem("videoface.faces")));
    }

    private IEnumerable<Activity> Spans(string name) => _spans.Where(s => s.OperationName == name);

    private static bool CameraFrame(Activity a) => Camera.Equals(a.GetTagItem(VideoFaceActivities.CameraTag));

    private ActivityTraceId TraceOfCameraFrame(ActivityTraceId trace) =>
        Spans(VideoFaceActivities.Frame).FirstOrDefault(f => f.TraceId == trace && CameraFrame(f))?.TraceId ?? default;
}
