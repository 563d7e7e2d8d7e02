using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Pipeline;
using VideoFace.Tracking;

namespace VideoFace.Cluster.Benchmarks;

/// <summary>Latencies of the Appeared events whose confirming frame was seen, in milliseconds.</summary>
internal sealed record LatencyResult(int Cameras, int People, int Enrolled, int TracksConfirmed, int Appeared, int Named,
    IReadOnlyList<double> FromDecodeMs, IReadOnlyList<double> FromCaptureMs, TimeSpan Wall, AlertLatency? Alerts = null);

/// <summary>
/// The same confirmed tracks, to the alert read by an HTTP subscriber of /api/alerts/stream (SSE): <see cref="Received"/>
/// data lines in all, <see cref="Tracks"/> distinct track ids, of which <see cref="FromDecodeMs"/>.Count joined to a
/// confirmation of this run; <see cref="AfterAppearedMs"/> is the alert path alone (Appeared on the stream → alert read).
/// </summary>
internal sealed record AlertLatency(string Endpoint, int Rules, int Received, int Tracks, int Malformed, int Unknown, int Enrolled,
    IReadOnlyList<double> FromDecodeMs, IReadOnlyList<double> FromCaptureMs, IReadOnlyList<double> AfterAppearedMs);

/// <summary>
/// Frame → identity event: live cameras show people one after another (grey between them), half of them enrolled; for
/// every confirmed track, the time from its confirming frame to the Appeared event reaching a subscriber of the
/// identity-events stream (gallery match, identity grain state write, stream delivery included).
/// </summary>
internal static class LatencyBenchmark
{
    /// <param name="alerts">When given (rules made, stream subscribed), alerts read over HTTP are joined to the tracks too.</param>
    public static async Task<LatencyResult> RunAsync(EmbeddedSilo silo, IReadOnlyList<(DecodedClip Clip, IReadOnlyList<string> Photos)> cameras, double fps,
        AlertStream? alerts = null)
    {
        int enrolled = await EnrollEveryOtherAsync(silo, cameras.SelectMany(c => c.Photos).ToList());
        var confirmed = new ConcurrentDictionary<string, (DateTimeOffset Decoded, DateTimeOffset Captured)>(StringComparer.Ordinal);
        var appeared = new ConcurrentDictionary<string, (DateTimeOffset At, IdentityEvent Event)>(StringComparer.Ordinal);
        void OnHandled(string camera, TrackNotice notice, GalleryMatch? match)
        {
            // the confirming frame: its pipeline start (FrameDecodedAt) and the time the camera delivered it (frame time)
            if (notice.Kind == TrackEventKind.Started) confirmed[notice.Track.Id] = (notice.FrameDecodedAt, notice.Track.LastSeen);
        }
        var stream = silo.Services.GetRequiredService<IClusterClient>().GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        // stays subscribed until the silo stops: unsubscribing with Left events in flight only makes Orleans warn
        await stream.SubscribeAsync((e, _) =>
        {
            if (e.Kind == IdentityEventKind.Appeared) appeared.TryAdd(e.TrackId, (DateTimeOffset.UtcNow, e));
            return Task.CompletedTask;
        });
        silo.Tracks.TrackHandled += OnHandled;
        var start = DateTimeOffset.UtcNow;
        try
        {
            var sources = cameras.Select((c, i) => new MemoryFrameSource($"lat-c{i}", c.Clip, fps, c.Clip.Duration + TimeSpan.FromSeconds(1),
                loop: false, startDelay: TimeSpan.FromSeconds(i / fps / cameras.Count))).ToList();
            var pipelines = sources.Select(s => silo.Pipeline(s.Source, s)).ToList();
            await Task.WhenAll(pipelines.Select(p => Task.Run(() => p.RunAsync(CancellationToken.None))));
            // stream delivery (and the alert evaluator → log → SSE path) is asynchronous: give the last events a moment
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(alerts is null ? 3 : 5);
            while (DateTimeOffset.UtcNow < deadline && confirmed.Keys.Any(id => !appeared.ContainsKey(id) || (alerts is not null && !alerts.Received.ContainsKey(id))))
                await Task.Delay(50);
        }
        finally
        {
            silo.Tracks.TrackHandled -= OnHandled;
        }
        var joined = confirmed.ToArray().Where(c => appeared.ContainsKey(c.Key)).Select(c => (c.Value, Event: appeared[c.Key])).ToList();
        int appearedCount = appeared.Count;
        var wall = DateTimeOffset.UtcNow - start;
        AlertLatency? alertLatency = null;
        if (alerts is not null)
        {
            var received = alerts.Received.ToArray();
            var byTrack = confirmed.ToArray().Where(c => alerts.Received.ContainsKey(c.Key))
                .Select(c => (c.Key, c.Value, Alert: alerts.Received[c.Key])).ToList();
            alertLatency = new AlertLatency(alerts.BaseAddress + "api/alerts/stream", alerts.RuleIds.Count, alerts.Count, received.Length, alerts.Malformed,
                byTrack.Count(a => a.Alert.RuleId == alerts.RuleIds.FirstOrDefault()), byTrack.Count(a => a.Alert.RuleId != alerts.RuleIds.FirstOrDefault()),
                byTrack.Select(a => (a.Alert.At - a.Value.Decoded).TotalMilliseconds).Order().ToList(),
                byTrack.Select(a => (a.Alert.At - a.Value.Captured).TotalMilliseconds).Order().ToList(),
                byTrack.Where(a => appeared.ContainsKey(a.Key)).Select(a => (a.Alert.At - appeared[a.Key].At).TotalMilliseconds).Order().ToList());
        }
        return new LatencyResult(cameras.Count, cameras.Sum(c => c.Photos.Count), enrolled, confirmed.Count, appearedCount,
            joined.Count(j => j.Event.Event.Name is not null),
            joined.Select(j => (j.Event.At - j.Value.Decoded).TotalMilliseconds).Order().ToList(),
            joined.Select(j => (j.Event.At - j.Value.Captured).TotalMilliseconds).Order().ToList(),
            wall, alertLatency);
    }

    /// <summary>Enrolls every other person (one photo each) in the default gallery, so both named and unknown matches happen.</summary>
    private static async Task<int> EnrollEveryOtherAsync(EmbeddedSilo silo, IReadOnlyList<string> photos)
    {
        var analyzer = silo.Batcher.Analyzer;
        var gallery = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IGalleryGrain>(Names.DefaultGallery);
        int count = 0;
        for (int i = 0; i < photos.Count; i += 2)
        {
            using var image = analyzer.Decoder.DecodeFile(photos[i]);
            if (analyzer.Analyze(image, maxFaces: 1) is not [var face]) continue;
            // force: a latency benchmark enrols whatever the photos are, the outlier check is not what it measures
            await gallery.EnrollAsync(Path.GetFileName(Path.GetDirectoryName(photos[i]))!, [face.NormedEmbedding], analyzer.EmbeddingSpace, force: true);
            count++;
        }
        return count;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
