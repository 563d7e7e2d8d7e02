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

    /// <summary>Erases the identity's history (person deleted).</summary>
    Task ClearAsync();
}
