using Orleans;

namespace VideoFace.Abstractions;

/// <summary>One person or unknown identity (key: identity id): track history and events, persisted.</summary>
public interface IIdentityGrain : IGrainWithStringKey
{
    /// <summary>Sets the display name (null for an unknown identity).</summary>
    Task SetNameAsync(string? name);

    /// <summary>A track matched to this identity started (or was confirmed); raises Appeared or MovedCamera.</summary>
    Task TrackStartedAsync(TrackSighting sighting);

    /// <summary>The track ended; raises Left when no other track of this identity is still open.</summary>
    Task TrackEndedAsync(TrackSighting sighting);

    Task<IdentitySummary> GetSummaryAsync();

    /// <summary>Track history, newest first.</summary>
    Task<IReadOnlyList<TrackSighting>> GetHistoryAsync(int limit = 100);

    /// <summary>Retention: drops history entries that ended (or, if open, started) before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneHistoryAsync(DateTimeOffset before);

    /// <summary>
    /// Erases what the identity holds (person deleted): its sightings in the vector index, their thumbnails and
    /// keyframes, and its history. Later track reports of <paramref name="incarnation"/> (or older) are dropped, also
    /// after the id is named (enrolled) again. Idempotent. The face-data eraser calls this; it also cleans the feeds.
    /// </summary>
    Task<IdentityErasure> EraseAsync(long incarnation);

    /// <summary>
    /// Merges this identity into <paramref name="targetId"/>: the target takes over its history and its sightings in the
    /// vector index; this identity then forwards any later track reports to the target. Idempotent.
    /// </summary>
    Task<IdentitySummary> MergeIntoAsync(string targetId);

    /// <summary>Takes over another identity's history (the merge's receiving side); returns this identity's summary.</summary>
    Task<IdentitySummary> AbsorbAsync(IdentityTransfer transfer);
}
