using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// This silo's copy of the gallery's enrolled persons (<see cref="GallerySnapshot"/>), kept current by asking the gallery
/// for changes every <see cref="GalleryOptions.ReplicaRefreshInterval"/> (one call per silo, whatever the number of
/// tracks). It names a track of an enrolled person, and leaves a track undecided while its evidence is weak, without
/// calling the gallery; any other verdict (an unknown identity, new or not) is the gallery's, which decides it again on
/// its latest state. Starts copying at its first use.
/// </summary>
public sealed partial class GalleryReplica(IGrainFactory grains, IOptions<GalleryOptions> options, ILogger<GalleryReplica> logger) : IAsyncDisposable
{
    private static readonly NamingCandidates NoUnknowns = new([]);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private GalleryCursor _cursor = new(Guid.Empty, 0);
    private volatile GallerySnapshot _snapshot = GallerySnapshot.Empty;
    private Task? _loop;
    private int _started;

    /// <summary>The persons as this silo holds them now.</summary>
    internal GallerySnapshot Snapshot
    {
        get
        {
            if (Interlocked.Exchange(ref _started, 1) == 0) _loop = Task.Run(RefreshLoopAsync);
            return _snapshot;
        }
    }

    /// <summary>How many enrolled persons this silo holds, and at which change version (for tests and benchmarks).</summary>
    public (int Persons, long Version) Held => (Snapshot.Count, _snapshot.Version);

    /// <summary>
    /// Names the track here when the verdict is an enrolled person or "undecided" (true; <paramref name="match"/> null
    /// while undecided); false when it is the gallery's to decide: an unknown identity, a track labelled with one, a space
    /// or evidence this copy cannot judge.
    /// </summary>
    public bool TryName(TrackEvidence evidence, string embeddingSpace, out GalleryMatch? match)
    {
        match = null;
        var snapshot = Snapshot;
        if (snapshot.Settings is not { } settings || settings.EmbeddingSpace != embeddingSpace || evidence is null) return false;
        if (Normed(evidence, snapshot.Dimension) is not { } normed) return false;
        // a track labelled with an identity this copy does not hold as a person (an unknown one) is the gallery's
        if (evidence.CurrentIdentityId is { } current && !snapshot.Contains(current)) return false;
        var naming = options.Value.With(settings.MatchThreshold, settings.UnknownMergeThreshold);
        var decision = NamingRule.Decide(new IdentityEvidence(normed, evidence.Faces, evidence.BestQuality), snapshot, NoUnknowns,
            evidence.CurrentIdentityId, evidence.Final, naming);
        switch (decision.Outcome)
        {
            case NamingOutcome.Undecided:
                return true;
            case NamingOutcome.Named:
                match = snapshot.Match(decision.IdentityId!, decision.Similarity);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Copies what changed in the gallery since this copy's version (pages until it is current).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            var gallery = grains.GetGrain<IGalleryGrain>(Names.DefaultGallery);
            bool reset = false;
            var upserts = new Dictionary<string, GalleryEntry>(StringComparer.Ordinal);
            var removed = new HashSet<string>(StringComparer.Ordinal);
            GalleryChanges page;
            var cursor = _cursor;
            do
            {
                page = await gallery.GetChangesAsync(cursor);
                if (page.Reset)
                {
                    (reset, cursor) = (true, page.Next);
                    upserts.Clear();
                    removed.Clear();
                }
                foreach (var u in page.Upserts)
                {
                    upserts[u.IdentityId] = u;
                    removed.Remove(u.IdentityId);
                }
                foreach (var id in page.Removed)
                {
                    upserts.Remove(id);
                    removed.Add(id);
                }
                cursor = page.Next;
            } while (page.More || page.Next.After is not null);
            var old = _snapshot;
            if (reset || upserts.Count > 0 || removed.Count > 0 || !Equals(old.Settings, page.Settings))
            {
                _snapshot = old.Apply(reset, upserts.Values, removed, page.Settings, cursor.Version);
                LogRefreshed(logger, _snapshot.Count, cursor.Version, reset);
            }
            _cursor = cursor;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(options.Value.ReplicaRefreshInterval);
        var ct = _stop.Token;
        try
        {
            do
            {
                try
                {
                    await RefreshAsync(ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // the gallery may be moving between silos: the copy stays as it is and the next tick tries again
                    LogRefreshFailed(logger, e);
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The evidence's embedding normed, or null when the gallery must judge it (it explains what is wrong).</summary>
    private static float[]? Normed(TrackEvidence evidence, int dimension)
    {
        if (string.IsNullOrWhiteSpace(evidence.TrackId) || evidence.TrackId.Length > GalleryBook.MaxTrackIdLength) return null;
        if (evidence.Embedding is not { } e || e.Length != dimension || dimension == 0) return null;
        foreach (var v in e)
            if (!float.IsFinite(v)) return null;
        var normed = Embeddings.Normalize(e);
        return Embeddings.Norm(normed) < 0.5f ? null : normed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is { } loop) await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gallery replica holds {Persons} persons at version {Version} (full copy: {Reset})")]
    private static partial void LogRefreshed(ILogger logger, int persons, long version, bool reset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gallery replica could not refresh; it keeps its copy")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error);
}
