using VideoFace.Abstractions;

namespace VideoFace.Grains.Identity;

/// <summary>An identity event decided by the timeline, for the grain to give an id and publish.</summary>
internal sealed record TimelineEvent(IdentityEventKind Kind, TrackSighting Sighting, DateTimeOffset Time, string? PreviousCamera = null,
    string? MovedTo = null);

/// <summary>
/// One identity's track history and visibility without Orleans: which report opens, closes or takes back a track, what
/// that means for the person (Appeared, MovedCamera, Left, Retracted), and the summary counts. It changes
/// <see cref="IdentityState"/> in place; the grain forwards, drops erased reports, persists and publishes.
/// </summary>
internal sealed class IdentityTimeline(IdentityState state)
{
    /// <summary>History entries kept per identity; older ones are dropped (counts stay).</summary>
    public const int MaxHistory = 5000;

    private IdentityState S => state;

    /// <summary>The state this timeline reads and changes.</summary>
    public IdentityState State => state;

    /// <summary>
    /// A track started: Appeared when the person was out of view, MovedCamera when seen only elsewhere, nothing when
    /// already in view on that camera. Null when the track is known already (a repeated report): nothing changed.
    /// </summary>
    public List<TimelineEvent>? Start(TrackSighting sighting)
    {
        if (S.OpenTracks.ContainsKey(sighting.TrackId) || S.History.Any(h => h.TrackId == sighting.TrackId)) return null;
        var events = new List<TimelineEvent>();
        if (S.OpenTracks.Count == 0) events.Add(new(IdentityEventKind.Appeared, sighting, sighting.Start));
        else if (!S.OpenTracks.ContainsValue(sighting.CameraId)) events.Add(new(IdentityEventKind.MovedCamera, sighting, sighting.Start, S.LastCamera));
        S.OpenTracks[sighting.TrackId] = sighting.CameraId;
        Record(sighting);
        S.Sightings++;
        return events;
    }

    /// <summary>
    /// A track ended: Left when it was the person's last open track. A track that ended without a start seen (a short
    /// one) still counts as a sighting, with both events. Null when the end was seen already (a camera's next session
    /// repeating an end delivered just before a crash).
    /// </summary>
    public List<TimelineEvent>? End(TrackSighting sighting)
    {
        bool wasOpen = S.OpenTracks.Remove(sighting.TrackId);
        if (!wasOpen && S.History.FindLast(h => h.TrackId == sighting.TrackId) is { End: not null }) return null;
        var events = new List<TimelineEvent>();
        if (!wasOpen && !S.History.Any(h => h.TrackId == sighting.TrackId))
        {
            events.AddRange(Start(sighting with { End = null }) ?? []);
            S.OpenTracks.Remove(sighting.TrackId);
        }
        Record(sighting);
        if (S.OpenTracks.Count == 0) events.Add(new(IdentityEventKind.Left, sighting, sighting.End ?? sighting.Start));
        return events;
    }

    /// <summary>A track was not this person after all (it went to <paramref name="movedTo"/>): its entry leaves the history.</summary>
    public (TrackSighting Entry, TimelineEvent Event)? Retract(string trackId, string movedTo)
    {
        int i = S.History.FindLastIndex(h => h.TrackId == trackId);
        if (i < 0) return null;
        var entry = S.History[i];
        S.History.RemoveAt(i);
        S.OpenTracks.Remove(trackId);
        S.Sightings = Math.Max(0, S.Sightings - 1);
        // The summary follows the history where the history is whole; a capped one keeps its counts (older entries are gone).
        if (S.History.Count == S.Sightings)
        {
            S.Cameras = S.History.Select(h => h.CameraId).ToHashSet(StringComparer.Ordinal);
            S.FirstSeen = S.History.Count == 0 ? null : S.History.Min(h => h.Start);
            var last = S.History.MaxBy(h => h.End ?? h.Start);
            S.LastSeen = last is null ? null : last.End ?? last.Start;
            S.LastCamera = last?.CameraId;
        }
        return (entry, new TimelineEvent(IdentityEventKind.Retracted, entry, entry.End ?? entry.Start, MovedTo: movedTo));
    }

    /// <summary>Drops history entries that ended before <paramref name="before"/> (open tracks stay whatever their start).</summary>
    public int Prune(DateTimeOffset before) => S.History.RemoveAll(h => (h.End ?? h.Start) < before && !S.OpenTracks.ContainsKey(h.TrackId));

    /// <summary>Takes a merged identity's history and open tracks (once per track); false when nothing was new.</summary>
    public bool Absorb(IdentityTransfer transfer)
    {
        var known = S.History.Select(h => h.TrackId).ToHashSet(StringComparer.Ordinal);
        var added = transfer.History.Where(h => !known.Contains(h.TrackId)).ToList();
        if (added.Count == 0 && transfer.OpenTracks.Keys.All(S.OpenTracks.ContainsKey)) return false;
        S.History = S.History.Concat(added).OrderBy(h => h.Start).ToList();
        if (S.History.Count > MaxHistory) S.History.RemoveRange(0, S.History.Count - MaxHistory);
        foreach (var (track, camera) in transfer.OpenTracks) S.OpenTracks.TryAdd(track, camera);
        // the source's count also covers old entries its capped history had dropped
        S.Sightings += added.Count + Math.Max(0, transfer.Sightings - transfer.History.Count);
        S.Cameras.UnionWith(transfer.Cameras);
        if (transfer.FirstSeen is { } f && (S.FirstSeen is null || f < S.FirstSeen)) S.FirstSeen = f;
        if (transfer.LastSeen is { } l && (S.LastSeen is null || l > S.LastSeen))
        {
            S.LastSeen = l;
            S.LastCamera = transfer.LastCamera ?? S.LastCamera;
        }
        return true;
    }

    /// <summary>What this identity hands a merge target.</summary>
    public IdentityTransfer Transfer(string id) =>
        new(id, S.History.ToList(), new Dictionary<string, string>(S.OpenTracks), S.Sightings, S.Cameras.ToList(), S.FirstSeen, S.LastSeen, S.LastCamera);

    public IdentitySummary Summary(string id) =>
        new(id, S.Name, S.Sightings, S.Cameras.Order(StringComparer.Ordinal).ToList(), S.FirstSeen, S.LastSeen, S.OpenTracks.Count > 0);

    /// <summary>The blob keys of every track this identity holds (thumbnails and keyframes, recorded or by convention).</summary>
    public List<string> BlobKeys() => S.History.SelectMany(h => new[]
        {
            h.ThumbnailKey, Storage.BlobKeys.Thumbnail(h.CameraId, h.TrackId), h.KeyframeKey, Storage.BlobKeys.Keyframe(h.CameraId, h.TrackId),
        })
        .Concat(S.OpenTracks.SelectMany(t => new[] { Storage.BlobKeys.Thumbnail(t.Value, t.Key), Storage.BlobKeys.Keyframe(t.Value, t.Key) }))
        .OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Adds or updates the history entry of a track and the summary fields.</summary>
    private void Record(TrackSighting s)
    {
        int i = S.History.FindLastIndex(h => h.TrackId == s.TrackId);
        if (i >= 0)
        {
            var old = S.History[i];
            S.History[i] = s with
            {
                Start = old.Start < s.Start ? old.Start : s.Start,
                Similarity = Math.Max(old.Similarity, s.Similarity),
                ThumbnailKey = s.ThumbnailKey ?? old.ThumbnailKey,
                KeyframeKey = s.KeyframeKey ?? old.KeyframeKey,
            };
        }
        else
        {
            S.History.Add(s);
            if (S.History.Count > MaxHistory) S.History.RemoveRange(0, S.History.Count - MaxHistory);
        }
        S.Cameras.Add(s.CameraId);
        S.LastCamera = s.CameraId;
        if (S.FirstSeen is null || s.Start < S.FirstSeen) S.FirstSeen = s.Start;
        var seen = s.End ?? s.Start;
        if (S.LastSeen is null || seen > S.LastSeen) S.LastSeen = seen;
    }
}
