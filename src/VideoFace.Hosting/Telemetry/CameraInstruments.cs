using VideoFace.Media.Health;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using VideoFace.Abstractions;
using VideoFace.Grains.Tracks;
using VideoFace.Pipeline;
using VideoFace.Pipeline.Sessions;

namespace VideoFace.Hosting.Telemetry;

/// <summary>
/// Per-camera metrics of this silo's ingest sessions, tagged <c>camera</c>: frames decoded, sampled (analysed) and
/// dropped, reconnects, faces detected, tracks started and open (observed from the sessions' own counters at each collection),
/// and per handled track the gallery match outcome and the latency from the frame's decoding.
/// </summary>
public sealed class CameraInstruments : IHostedService, IDisposable
{
    public const string MeterName = "VideoFace.Cameras";
    public const string FramesDecoded = "videoface.camera.frames.decoded";
    public const string FramesSampled = "videoface.camera.frames.sampled";
    public const string FramesDropped = "videoface.camera.frames.dropped";
    public const string Reconnects = "videoface.camera.reconnects";
    public const string Faces = "videoface.camera.faces";
    public const string TracksStarted = "videoface.camera.tracks.started";
    public const string Streaming = "videoface.camera.streaming";
    public const string OpenTracks = "videoface.camera.tracks.open";
    public const string GalleryMatches = "videoface.gallery.matches";
    public const string TrackLatency = "videoface.track.latency";

    private readonly Meter _meter = new(MeterName);
    private readonly CameraSessions _sessions;
    private readonly TrackPublisher _tracks;
    private readonly Counter<long> _matches;
    private readonly Histogram<double> _latency;

    public CameraInstruments(CameraSessions sessions, TrackPublisher tracks)
    {
        _sessions = sessions;
        _tracks = tracks;
        _meter.CreateObservableCounter(FramesDecoded, () => Observe(c => c.Source.Decoded), "{frame}", "Frames ffmpeg decoded at the analysis fps");
        _meter.CreateObservableCounter(FramesSampled, () => Observe(c => c.Pipeline.FramesAnalyzed), "{frame}", "Frames analysed");
        _meter.CreateObservableCounter(FramesDropped, () => Observe(c => c.Source.Dropped), "{frame}", "Frames dropped by back-pressure");
        _meter.CreateObservableCounter(Reconnects, () => Observe(c => Math.Max(0, c.Source.Sessions - 1)), "{reconnect}", "ffmpeg sessions after the first");
        _meter.CreateObservableCounter(Faces, () => Observe(c => c.Pipeline.FacesDetected), "{face}", "Faces detected");
        _meter.CreateObservableCounter(TracksStarted, () => Observe(c => c.Pipeline.TracksStarted), "{track}", "Tracks started");
        _meter.CreateObservableGauge(Streaming, () => Observe(c => c.Pipeline.Health == Media.Health.HealthState.Streaming ? 1 : 0), null,
            "1 while the camera streams, 0 otherwise");
        _meter.CreateObservableGauge(OpenTracks, () => Observe(c => c.Pipeline.OpenTracks), "{track}", "Confirmed tracks not yet ended");
        _matches = _meter.CreateCounter<long>(GalleryMatches, "{track}", "Tracks decided (or re-decided) by the gallery, by outcome (person, unknown, new_unknown)");
        _latency = _meter.CreateHistogram<double>(TrackLatency, "ms", "From a track's frame being decoded to the track being stored and matched");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _tracks.TrackHandled += OnTrackHandled;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _tracks.TrackHandled -= OnTrackHandled;
        return Task.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();

    private void OnTrackHandled(string camera, TrackNotice notice, GalleryMatch? match)
    {
        var tag = new KeyValuePair<string, object?>("camera", camera);
        _latency.Record((DateTimeOffset.UtcNow - notice.FrameDecodedAt).TotalMilliseconds, tag);
        // a track counts when its identity is decided, and again if more evidence moves it
        if (match is null) return;
        var outcome = match.Name is not null ? "person" : match.IsNewUnknown ? "new_unknown" : "unknown";
        _matches.Add(1, tag, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private IEnumerable<Measurement<long>> Observe(Func<(string Camera, Media.Sources.FrameSourceCounters Source, CameraIngestStatus Pipeline), long> value) =>
        _sessions.Counters().Select(c => new Measurement<long>(value(c), new KeyValuePair<string, object?>("camera", c.Camera)));
}
