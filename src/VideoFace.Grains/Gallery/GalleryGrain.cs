using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using VideoFace.Abstractions;
using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// Enrolled persons and unknown identities; names tracks under the one naming rule, again as their evidence grows.
/// A shell around <see cref="GalleryBook"/> (the records and rules): it persists the state after each change and tells
/// identity grains their names and merges. The state is stored as small records (<see cref="GalleryStore"/>): a change
/// rewrites the partitions of the identities and tracks it touched, not the whole gallery. It is the one writer: every
/// silo's <see cref="GalleryReplica"/> copies the enrolled persons from it (<see cref="GalleryChangeLog"/>) and names
/// tracks of enrolled persons without calling it; new and unknown identities are decided here, one call at a time, so
/// two silos never make two identities of one stranger.
/// </summary>
public sealed class GalleryGrain(IOptions<GalleryOptions> options, TimeProvider time) : Grain, IGalleryGrain
{
    private readonly GalleryChangeLog _changes = new();
    private GalleryStore _store = null!;
    private GalleryBook _book = null!;

    private GalleryState S => _book.State;

    private GalleryBook Book => _book;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new GalleryStore(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(Names.Storage), this.GetGrainId());
        _book = new GalleryBook(await _store.LoadAsync(), this.GetPrimaryKeyString());
    }

    /// <summary>What the gallery's own record holds that an operation may change.</summary>
    private (long, string?, int) Mark => (S.LastIncarnation, S.EmbeddingSpace, S.Dimension);

    private List<string> TracksOf(string identityId) => S.OpenTracks.Where(kv => kv.Value.IdentityId == identityId).Select(kv => kv.Key).ToList();

    private float MatchThreshold => S.MatchThreshold ?? options.Value.MatchThreshold;
    private float MergeThreshold => S.UnknownMergeThreshold ?? options.Value.UnknownMergeThreshold;
    private NamingOptions Naming => options.Value.With(MatchThreshold, MergeThreshold);

    public async Task<EnrolmentResult> EnrollAsync(string name, IReadOnlyList<float[]> normedEmbeddings, string embeddingSpace, bool force = false)
    {
        var mark = Mark;
        var result = Book.Enroll(name, normedEmbeddings, embeddingSpace, force, options.Value.EnrolmentOutlierThreshold, time.GetUtcNow());
        if (result.Person is not { } person) return result;
        await _store.SaveAsync(S, new GalleryChange([person.IdentityId], [], mark != Mark));
        _changes.Changed(person.IdentityId);
        await GrainFactory.GetGrain<IIdentityGrain>(person.IdentityId).SetNameAsync(person.Name);
        return result;
    }

    public async Task<IdentityTombstone?> BeginEraseAsync(string identityId)
    {
        var tracks = TracksOf(identityId);
        var (tombstone, changed) = Book.BeginErase(identityId, time.GetUtcNow());
        // the tombstone is written first: from here on nothing is matched to the identity and its tracks' late reports are dropped
        if (!changed) return tombstone;
        await _store.SaveAsync(S, new GalleryChange([identityId], tracks, Gallery: true));
        _changes.Changed(identityId);
        return tombstone;
    }

    public async Task EndEraseAsync(string identityId)
    {
        if (S.Erasing.Remove(identityId)) await _store.SaveAsync(S, GalleryChange.GalleryOnly);
    }

    public Task<IReadOnlyList<IdentityTombstone>> PendingErasuresAsync() => Task.FromResult(Book.PendingErasures());

    public Task<bool> IsErasedAsync(string identityId, long incarnation) => Task.FromResult(Book.IsErased(identityId, incarnation));

    public async Task<IdentitySummary?> MergeAsync(string sourceId, string targetId)
    {
        if (!Book.CanMerge(sourceId, targetId)) return null;
        var summary = await GrainFactory.GetGrain<IIdentityGrain>(sourceId).MergeIntoAsync(targetId);
        var tracks = TracksOf(sourceId);
        Book.Merge(sourceId, targetId);
        await _store.SaveAsync(S, new GalleryChange([sourceId, targetId], tracks, Gallery: true));
        _changes.Changed(sourceId, targetId);
        // the source's Merged event tells the alert side (its rules follow the target); the gallery knows no rules
        return summary;
    }

    public Task<IReadOnlyList<EnrolledPerson>> ListPersonsAsync() => Task.FromResult(Book.Persons());

    public Task<IReadOnlyList<string>> ListIdentitiesAsync() => Task.FromResult(Book.Identities());

    public async Task<GalleryMatch> MatchTrackAsync(float[] normedEmbedding, string embeddingSpace)
    {
        // a whole track's embedding, vouched for by the caller: sufficient evidence, decided at once under a one-off id
        var evidence = new TrackEvidence("m-" + Guid.NewGuid().ToString("N"), normedEmbedding, int.MaxValue, 1, Final: true);
        return (await NameTrackAsync(evidence, embeddingSpace))!;
    }

    public async Task<GalleryMatch?> NameTrackAsync(TrackEvidence evidence, string embeddingSpace)
    {
        var mark = Mark;
        string? previous = evidence?.TrackId is { } trackId ? S.OpenTracks.GetValueOrDefault(trackId)?.IdentityId : null;
        var (match, changed) = Book.NameTrack(evidence!, embeddingSpace, Naming, time.GetUtcNow());
        // the track's record, the identities it left and joined (one partition each, mostly), and any track forgotten
        if (changed)
            await _store.SaveAsync(S, new GalleryChange(new[] { match?.IdentityId, previous }.OfType<string>().Distinct().ToList(),
                [evidence!.TrackId, .. Book.Pruned], mark != Mark));
        return match;
    }

    public Task<GalleryChanges> GetChangesAsync(GalleryCursor cursor) =>
        Task.FromResult(_changes.Next(cursor, S.Persons, new GallerySettings(MatchThreshold, MergeThreshold, S.EmbeddingSpace, S.Dimension)));

    public Task<GalleryMatch?> PeekAsync(float[] normedEmbedding) => Task.FromResult(Book.Peek(normedEmbedding, Naming));

    public Task<GallerySettings> GetSettingsAsync() =>
        Task.FromResult(new GallerySettings(MatchThreshold, MergeThreshold, S.EmbeddingSpace, S.Dimension));

    public async Task SetThresholdsAsync(float matchThreshold, float unknownMergeThreshold)
    {
        var errors = options.Value.With(matchThreshold, unknownMergeThreshold).Validate(GalleryOptions.SectionName);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
        S.MatchThreshold = matchThreshold;
        S.UnknownMergeThreshold = unknownMergeThreshold;
        await _store.SaveAsync(S, GalleryChange.GalleryOnly);
    }

    public async Task<EnrolledPerson?> RenameAsync(string identityId, string name)
    {
        if (Book.Rename(identityId, name, time.GetUtcNow()) is not { } person) return null;
        await _store.SaveAsync(S, new GalleryChange([identityId], [], Gallery: false));
        _changes.Changed(identityId);
        await GrainFactory.GetGrain<IIdentityGrain>(identityId).SetNameAsync(person.Name);
        return person;
    }
}
