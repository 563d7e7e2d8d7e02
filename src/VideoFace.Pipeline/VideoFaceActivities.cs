using System.Diagnostics;

namespace VideoFace.Pipeline;

/// <summary>
/// The trace source of the frame path: one Activity per stage (frame analysis, track handling, gallery match, identity
/// event, alert). Orleans carries the current Activity into grain calls when the silo enables activity propagation, so a
/// track's spans and the grains it calls form one trace.
/// </summary>
public static class VideoFaceActivities
{
    public const string SourceName = "VideoFace";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>One analysed frame of a camera: decode hand-off, inference, tracking and the track notices it causes.</summary>
    public const string Frame = "videoface.frame";

    /// <summary>Detection, landmarks and embedding of one frame (waiting for the device included).</summary>
    public const string Inference = "videoface.inference";

    /// <summary>One track notice handled: thumbnails stored, identity decided, sighting indexed.</summary>
    public const string Track = "videoface.track";

    /// <summary>An identity event published (Appeared, Left, MovedCamera, Retracted, Merged).</summary>
    public const string IdentityEvent = "videoface.identity.event";

    /// <summary>Alert rules fired by one identity event; its parent is the event's span, carried in the event itself
    /// because stream delivery does not carry the publisher's trace.</summary>
    public const string Alert = "videoface.alert";

    /// <summary>Tag naming the camera on frame and track spans.</summary>
    public const string CameraTag = "videoface.camera";

    /// <summary>The W3C trace-parent of the current span, to be carried in a message that crosses a stream.</summary>
    public static string? CurrentTraceParent() => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>
    /// Starts <paramref name="name"/> as a child of the span whose trace-parent a message carried (see
    /// <see cref="CurrentTraceParent"/>), or of the current span when the message carried none or an invalid one.
    /// </summary>
    public static Activity? StartFrom(string name, string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Consumer, parent)
            : Source.StartActivity(name);
}
