namespace VideoFace.Tracking;

/// <summary>A per-camera multi-face tracker: feed it each analysed frame's faces, get track events back.
/// Not thread-safe; one caller (a camera grain or session) owns it.</summary>
public interface IFaceTracker
{
    /// <summary>The camera whose faces this tracker follows.</summary>
    string CameraId { get; }

    /// <summary>Snapshots of the tracks not yet ended (tentative, confirmed and lost).</summary>
    IReadOnlyList<TrackSnapshot> Tracks { get; }

    /// <summary>Associates one frame's faces with the tracks, advances their lifecycle and returns the events and
    /// each face's track. Frames should come in time order; an older frame time predicts no motion.</summary>
    TrackerUpdate Update(FrameFaces frame);

    /// <summary>Ends the lost tracks unseen for longer than MaxAge at <paramref name="now"/> without a new frame
    /// (a stalled camera); returns their Ended events.</summary>
    IReadOnlyList<TrackEvent> Expire(DateTimeOffset now);

    /// <summary>Ends every track (camera stop): Ended events for confirmed and lost ones, tentative ones are dropped.</summary>
    IReadOnlyList<TrackEvent> EndAll(DateTimeOffset now);
}

/// <summary>Creates one tracker per camera.</summary>
public interface IFaceTrackerFactory
{
    /// <summary>A new tracker for the camera, with a fresh id session so its track ids never repeat earlier ones.</summary>
    IFaceTracker Create(string cameraId);

    /// <summary>A new embedding policy for one camera's pipeline, or null to embed every face.</summary>
    EmbedPolicy? CreateEmbedPolicy() => null;
}

/// <summary>Creates <see cref="FaceTracker"/>s sharing one set of options and one clock.</summary>
public sealed class FaceTrackerFactory(TrackerOptions options, TimeProvider timeProvider) : IFaceTrackerFactory
{
    /// <inheritdoc />
    public IFaceTracker Create(string cameraId) => new FaceTracker(cameraId, options, timeProvider);

    /// <inheritdoc />
    public EmbedPolicy? CreateEmbedPolicy() => new(options);
}
