using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VideoFace.Abstractions;
using VideoFace.Grains.Gallery;
using VideoFace.Pipeline;
using VideoFace.Tracking;

namespace VideoFace.Grains.Tracks;

/// <summary>The identity a running track carries now.</summary>
public sealed record TrackLabel(string IdentityId, string? Name, float Similarity, long Incarnation = 0);

/// <summary>
/// Gives this silo's running tracks their identities as their evidence grows: each notice (started, updated, ended)
/// asks the gallery's naming rule again. A track stays undecided — reported to no identity, named in no preview — until
/// the rule decides; at its end it is always decided. Once decided it is reported to its identity; when later evidence
/// moves it to another identity, the first one retracts it and the second takes it. Every track reported to an identity
/// is recorded in its camera's open tracks (<see cref="Ledger"/>) before the identity hears of it, so a session that
/// dies leaves nothing open that the next session cannot end. The silo's <see cref="GalleryReplica"/> names tracks of
/// enrolled persons (and leaves weak ones undecided) here; only the other verdicts are asked of the gallery.
/// </summary>
internal sealed partial class TrackNaming(IGrainFactory grains, ILogger logger, OpenTrackLedger ledger, GalleryReplica replica)
{
    public OpenTrackLedger Ledger => ledger;

    private readonly ConcurrentDictionary<string, TrackLabel> _labels = new(StringComparer.Ordinal);

    /// <summary>The track's identity, or null while it is undecided (or unknown to this silo).</summary>
    public TrackLabel? Label(string trackId) => _labels.TryGetValue(trackId, out var label) ? label : null;

    /// <summary>
    /// Re-decides the track's identity from the notice's evidence and reports a new or changed decision to the
    /// identities; returns the gallery's answer when the decision is new or changed, else null.
    /// </summary>
    public async Task<GalleryMatch?> DecideAsync(string cameraId, TrackNotice notice, string embeddingSpace, string? thumbKey, string? keyframeKey)
    {
        var track = notice.Track;
        if (track.Embedding is not { } embedding) return null;
        // The evidence is every embedded face that agreed with the track (the tracker's count; its mean embedding is of
        // the best of them), and the best face's quality says how good the best of them is.
        // this silo keeps the track's label and tells the gallery, which then remembers only unknown identities' shares
        var evidence = new TrackEvidence(track.Id, embedding, track.EvidenceFaces, track.BestFace.Quality, notice.Kind == TrackEventKind.Ended,
            LabelledByCaller: true, CurrentIdentityId: Label(track.Id)?.IdentityId);
        var match = replica.TryName(evidence, embeddingSpace, out var named)
            ? named
            : await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).NameTrackAsync(evidence, embeddingSpace);
        if (match is null) return null;
        var label = new TrackLabel(match.IdentityId, match.Name, match.Similarity, match.Incarnation);
        var sighting = new TrackSighting(cameraId, track.Id, track.StartTime, null, match.Similarity, thumbKey, keyframeKey, match.Incarnation);
        // (the label changes once the identities took the report: a failed call is retried with the next notice)
        if (!_labels.TryGetValue(track.Id, out var previous))
        {
            await ledger.OpenedAsync(cameraId, match.IdentityId, sighting);
            await Identity(match.IdentityId).TrackStartedAsync(sighting);
            _labels[track.Id] = label;
            return match;
        }
        if (previous.IdentityId == match.IdentityId)
        {
            _labels[track.Id] = label;
            return null;
        }
        LogRelabelled(logger, track.Id, cameraId, previous.IdentityId, previous.Name ?? "unknown", match.IdentityId, match.Name ?? "unknown");
        // the old identity gives the track up first: an Appeared of the new one never overlaps the old one's claim
        await Identity(previous.IdentityId).RetractTrackAsync(track.Id, match.IdentityId);
        // the camera's record now names the new identity (a takeover ends the track there)
        await ledger.OpenedAsync(cameraId, match.IdentityId, sighting);
        await Identity(match.IdentityId).TrackStartedAsync(sighting);
        _labels[track.Id] = label;
        return match;
    }

    /// <summary>Closes an ended track's sighting on its identity (after the last <see cref="DecideAsync"/>) and forgets it.</summary>
    public async Task EndAsync(string cameraId, TrackSnapshot track, string? thumbKey, string? keyframeKey)
    {
        if (!_labels.TryRemove(track.Id, out var label)) return;
        await Identity(label.IdentityId)
            .TrackEndedAsync(new TrackSighting(cameraId, track.Id, track.StartTime, track.LastSeen, label.Similarity, thumbKey, keyframeKey,
                label.Incarnation, ledger.EndReason(cameraId)));
        await ledger.ClosedAsync(cameraId, track.Id);
    }

    /// <summary>Drops a track whose identity was erased: no identity hears of it again, its camera's record lets it go.</summary>
    public async Task ForgetAsync(string cameraId, string trackId)
    {
        if (_labels.TryRemove(trackId, out _)) await ledger.ClosedAsync(cameraId, trackId);
    }

    private IIdentityGrain Identity(string id) => grains.GetGrain<IIdentityGrain>(id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Track {Track} on camera {Camera} re-labelled from {From} ({FromName}) to {To} ({ToName})")]
    private static partial void LogRelabelled(ILogger logger, string track, string camera, string from, string fromName, string to, string toName);
}
