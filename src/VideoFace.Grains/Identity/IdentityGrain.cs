using Microsoft.Extensions.Logging;
using Orleans.Streams;
using VideoFace.Abstractions;

namespace VideoFace.Grains.Identity;

/// <summary>Per-person track history and Appeared / MovedCamera / Left events, published on the identity-events stream.</summary>
public sealed partial class IdentityGrain(
    [PersistentState("identity", Names.Storage)] IPersistentState<IdentityState> state,
    ILogger<IdentityGrain> logger) : Grain, IIdentityGrain
{
    /// <summary>History entries kept per identity; older ones are dropped (counts stay).</summary>
    public const int MaxHistory = 5000;

    private IAsyncStream<IdentityEvent>? _events;
    private IdentityState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        return Task.CompletedTask;
    }

    public async Task SetNameAsync(string? name)
    {
        if (S.Name == name && state.RecordExists) return;
        S.Name = name;
        await state.WriteStateAsync();
    }

    public async Task TrackStartedAsync(TrackSighting sighting)
    {
        if (S.OpenTracks.ContainsKey(sighting.TrackId) || S.History.Any(h => h.TrackId == sighting.TrackId)) return;
        IdentityEventKind? kind;
        string? previous = null;
        if (S.OpenTracks.Count == 0)
        {
            kind = IdentityEventKind.Appeared;
        }
        else if (!S.OpenTracks.ContainsValue(sighting.CameraId))
        {
            kind = IdentityEventKind.MovedCamera;
            previous = S.LastCamera;
        }
        else
        {
            kind = null; // another track of the same person on a camera they are already visible on
        }
        S.OpenTracks[sighting.TrackId] = sighting.CameraId;
        Record(sighting);
        S.Sightings++;
        await state.WriteStateAsync();
        if (kind is { } k) await PublishAsync(k, sighting, sighting.Start, previous);
    }

    public async Task TrackEndedAsync(TrackSighting sighting)
    {
        bool wasOpen = S.OpenTracks.Remove(sighting.TrackId);
        if (!wasOpen && !S.History.Any(h => h.TrackId == sighting.TrackId))
        {
            // ended without a start we saw (e.g. a short track): it still counts as a sighting, with both events
            await TrackStartedAsync(sighting with { End = null });
            S.OpenTracks.Remove(sighting.TrackId);
        }
        Record(sighting);
        await state.WriteStateAsync();
        if (S.OpenTracks.Count == 0) await PublishAsync(IdentityEventKind.Left, sighting, sighting.End ?? sighting.Start, null);
    }

    public Task<IdentitySummary> GetSummaryAsync() =>
        Task.FromResult(new IdentitySummary(this.GetPrimaryKeyString(), S.Name, S.Sightings,
            S.Cameras.Order(StringComparer.Ordinal).ToList(), S.FirstSeen, S.LastSeen, S.OpenTracks.Count > 0));

    public Task<IReadOnlyList<TrackSighting>> GetHistoryAsync(int limit = 100) =>
        Task.FromResult<IReadOnlyList<TrackSighting>>(Enumerable.Reverse(S.History).Take(Math.Max(0, limit)).ToList());

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

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

    private async Task PublishAsync(IdentityEventKind kind, TrackSighting s, DateTimeOffset time, string? previousCamera)
    {
        var e = new IdentityEvent(Guid.NewGuid().ToString("N"), kind, this.GetPrimaryKeyString(), S.Name, s.CameraId,
            previousCamera, s.TrackId, time, s.Similarity, s.ThumbnailKey);
        LogEvent(logger, kind, e.IdentityId, S.Name ?? "unknown", s.CameraId, s.TrackId);
        await _events!.OnNextAsync(e);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: {Identity} ({Name}) on camera {Camera}, track {Track}")]
    private static partial void LogEvent(ILogger logger, IdentityEventKind kind, string identity, string name, string camera, string track);
}
