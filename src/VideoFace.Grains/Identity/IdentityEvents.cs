using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Pipeline;

namespace VideoFace.Grains.Identity;

/// <summary>
/// Makes an identity's events: each gets its id for good (what consumers deduplicate by) and carries the span it was
/// made in, since stream delivery does not carry the trace and the alert evaluator continues it (also when the event
/// leaves the outbox only at a later activation). Each is logged and counted once, when it is made.
/// </summary>
public static partial class IdentityEvents
{
    /// <summary>An event of <paramref name="identityId"/> about the track in <paramref name="s"/>.</summary>
    public static IdentityEvent Create(ILogger logger, IdentityEventKind kind, string identityId, string? name, TrackSighting s,
        DateTimeOffset time, string? previousCamera, string? movedTo = null)
    {
        using var activity = VideoFaceActivities.Source.StartActivity(VideoFaceActivities.IdentityEvent);
        activity?.SetTag("videoface.event.kind", kind.ToString());
        var e = new IdentityEvent(Guid.NewGuid().ToString("N"), kind, identityId, name, s.CameraId,
            previousCamera, s.TrackId, time, s.Similarity, s.ThumbnailKey, s.Incarnation, movedTo, VideoFaceActivities.CurrentTraceParent());
        LogEvent(logger, kind, identityId, name ?? "unknown", s.CameraId, s.TrackId);
        GrainInstruments.IdentityEventsCounter.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        return e;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: {Identity} ({Name}) on camera {Camera}, track {Track}")]
    private static partial void LogEvent(ILogger logger, IdentityEventKind kind, string identity, string name, string camera, string track);
}
