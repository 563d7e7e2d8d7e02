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
}
