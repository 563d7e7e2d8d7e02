using System.Numerics.Tensors;
using System.Text;
using Microsoft.Extensions.Options;
using VideoFace.Abstractions;
using VideoFace.Vision.Clustering;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// Enrolled persons and unknown identities; names tracks under the one naming rule (<see cref="NamingRule"/>), again as
/// their evidence grows.
/// </summary>
public sealed class GalleryGrain(
    [PersistentState("gallery", Names.Storage)] IPersistentState<GalleryState> state,
    IOptions<GalleryOptions> options,
    TimeProvider time) : Grain, IGalleryGrain
{
    private GalleryState S => state.State;
    /// <summary>Running tracks remembered at most; beyond it the longest-quiet are forgotten (their silo never ended them).</summary>
    internal const int MaxOpenTracks = 4096;
    internal const int MaxTrackIdLength = 256;

    private float MatchThreshold => S.MatchThreshold ?? options.Value.MatchThreshold;
    private float MergeThreshold => S.UnknownMergeThreshold ?? options.Value.UnknownMergeThreshold;
    private NamingOptions Naming => options.Value.With(MatchThreshold, MergeThreshold);

    public async Task<EnrolmentResult> EnrollAsync(string name, IReadOnlyList<float[]> normedEmbeddings, string embeddingSpace, bool force = false)
    {
        name = name.Trim();
        if (name.Length == 0) throw new ArgumentException("a person needs a name");
        if (normedEmbeddings.Count == 0) throw new ArgumentException($"no face embeddings for '{name}'");
        CheckSpace(embeddingSpace, normedEmbeddings[0].Length);
        foreach (var e in normedEmbeddings)
            if (e.Length != S.Dimension) throw new ArgumentException($"embedding has {e.Length} values, the gallery {S.Dimension}");
        // the same name adds photos to its person (a renamed or promoted one keeps its id); any other name is someone else
        var id = IdByName(name);
        S.Persons.TryGetValue(id ?? "", out var p);
        float threshold = options.Value.EnrolmentOutlierThreshold;
        var outliers = EnrolmentCheck.FindOutliers(normedEmbeddings, p?.Sum, threshold)
            .Select(o => new EnrolmentPhotoOutlier(o.Index, (EnrolmentOutlierReason)(int)o.Kind, o.Similarity)).ToList();
        if (outliers.Count > 0 && !force) return new EnrolmentResult(null, outliers, threshold);
        if (p is null)
        {
            id = NewPersonId(name);
            S.Persons[id] = p = new GalleryPerson { Name = name, Sum = new float[S.Dimension], EnrolledAt = time.GetUtcNow(), Incarnation = ++S.LastIncarnation };
        }
        foreach (var e in normedEmbeddings) TensorPrimitives.Add(p.Sum, e, p.Sum);
        p.Photos += normedEmbeddings.Count;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IIdentityGrain>(id!).SetNameAsync(p.Name);
        return new EnrolmentResult(new EnrolledPerson(id!, p.Name, p.Photos, p.EnrolledAt), outliers, threshold);
    }

    public async Task<IdentityTombstone?> BeginEraseAsync(string identityId)
    {
        long incarnation;
        if (S.Persons.Remove(identityId, out var person)) incarnation = person.Incarnation;
        else if (S.Unknowns.Remove(identityId, out var unknown)) incarnation = unknown.Incarnation;
        else return S.Erasing.Contains(identityId) ? S.Tombstones.GetValueOrDefault(identityId) : null;
        // one write: from here on nothing is matched to the identity, and whatever its tracks still report is dropped,
        // also under the ids of identities merged into it earlier (their open tracks still report under those)
        var now = time.GetUtcNow();
        var merged = MergedInto(identityId).Select(m => new IdentityTombstone(m.Id, m.Incarnation, now)).ToList();
        foreach (var m in merged)
        {
            S.Tombstones[m.IdentityId] = m;
            S.Merged.Remove(m.IdentityId);
        }
        var tombstone = new IdentityTombstone(identityId, incarnation, now, merged);
        S.Tombstones[identityId] = tombstone;
        S.Erasing.Add(identityId);
        // its running tracks no longer count for it (their later reports are dropped by the tombstone)
        foreach (var t in S.OpenTracks.Where(kv => kv.Value.IdentityId == identityId).Select(kv => kv.Key).ToList()) S.OpenTracks.Remove(t);
        await state.WriteStateAsync();
        return tombstone;
    }

    /// <summary>The identities merged into this one, directly or through others.</summary>
    private List<(string Id, long Incarnation)> MergedInto(string identityId)
    {
        var found = new List<(string, long)>();
        var targets = new HashSet<string>(StringComparer.Ordinal) { identityId };
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (source, m) in S.Merged)
            {
                if (!targets.Contains(m.Target) || !targets.Add(source)) continue;
                found.Add((source, m.Incarnation));
                grew = true;
            }
        }
        return found;
    }

    public async Task EndEraseAsync(string identityId)
    {
        if (S.Erasing.Remove(identityId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<IdentityTombstone>> PendingErasuresAsync() =>
        Task.FromResult<IReadOnlyList<IdentityTombstone>>(S.Erasing.Select(id => S.Tombstones.GetValueOrDefault(id)).OfType<IdentityTombstone>().ToList());

    public Task<bool> IsErasedAsync(string identityId, long incarnation) =>
        Task.FromResult(S.Tombstones.TryGetValue(identityId, out var t) && incarnation <= t.Incarnation);

    public async Task<IdentitySummary?> MergeAsync(string sourceId, string targetId)
    {
        if (sourceId == targetId) throw new ArgumentException($"'{sourceId}' cannot be merged into itself");
        bool sourceIsPerson = S.Persons.TryGetValue(sourceId, out var sourcePerson);
        S.Unknowns.TryGetValue(sourceId, out var sourceUnknown);
        bool targetIsPerson = S.Persons.TryGetValue(targetId, out var targetPerson);
        S.Unknowns.TryGetValue(targetId, out var targetUnknown);
        if ((sourcePerson is null && sourceUnknown is null) || (targetPerson is null && targetUnknown is null)) return null;
        if (sourceIsPerson && !targetIsPerson)
            throw new InvalidOperationException($"'{sourceId}' is an enrolled person and '{targetId}' an unknown identity: merge the unknown identity into the person instead");

        var summary = await GrainFactory.GetGrain<IIdentityGrain>(sourceId).MergeIntoAsync(targetId);
        // the target's embedding absorbs the source's: photos and tracks are all normed embeddings of one space
        var (sum, count) = sourcePerson is not null ? (sourcePerson.Sum, sourcePerson.Photos) : (sourceUnknown!.Sum, sourceUnknown.Tracks);
        if (targetPerson is not null)
        {
            TensorPrimitives.Add(targetPerson.Sum, sum, targetPerson.Sum);
            targetPerson.Photos += count;
        }
        else
        {
            TensorPrimitives.Add(targetUnknown!.Sum, sum, targetUnknown.Sum);
            targetUnknown.Tracks += count;
            if (sourceUnknown!.FirstSeen < targetUnknown.FirstSeen) targetUnknown.FirstSeen = sourceUnknown.FirstSeen;
        }
        S.Merged[sourceId] = new MergedIdentity { Target = targetId, Incarnation = sourcePerson?.Incarnation ?? sourceUnknown!.Incarnation };
        S.Persons.Remove(sourceId);
        S.Unknowns.Remove(sourceId);
        // the source's running tracks now live in the target's sum (or, for a person target, in no sum at all)
        foreach (var c in S.OpenTracks.Values.Where(c => c.IdentityId == sourceId))
        {
            c.IdentityId = targetId;
            if (targetPerson is not null) c.Embedding = null;
        }
        await state.WriteStateAsync();
        // alert rules that watched the source now watch the target (the source id will never appear again)
        var rules = GrainFactory.GetGrain<IAlertRulesGrain>(AlertNames.Default);
        foreach (var rule in (await rules.ListAsync()).Where(r => r.PersonId == sourceId))
            await rules.AddAsync(rule with { PersonId = targetId, PersonName = summary.Name ?? rule.PersonName });
        return summary;
    }

    public Task<IReadOnlyList<EnrolledPerson>> ListPersonsAsync() =>
        Task.FromResult<IReadOnlyList<EnrolledPerson>>(S.Persons
            .Select(kv => new EnrolledPerson(kv.Key, kv.Value.Name, kv.Value.Photos, kv.Value.EnrolledAt))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList());

    public Task<IReadOnlyList<string>> ListIdentitiesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(S.Persons.Keys.Concat(S.Unknowns.Keys).ToList());

    public async Task<GalleryMatch> MatchTrackAsync(float[] normedEmbedding, string embeddingSpace)
    {
        // a whole track's embedding, vouched for by the caller: sufficient evidence, decided at once under a one-off id
        var evidence = new TrackEvidence("m-" + Guid.NewGuid().ToString("N"), normedEmbedding, int.MaxValue, 1, Final: true);
        return (await NameTrackAsync(evidence, embeddingSpace))!;
    }

    public async Task<GalleryMatch?> NameTrackAsync(TrackEvidence evidence, string embeddingSpace)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (string.IsNullOrWhiteSpace(evidence.TrackId) || evidence.TrackId.Length > MaxTrackIdLength)
            throw new ArgumentException($"a track needs an id of 1 to {MaxTrackIdLength} characters");
        if (evidence.Embedding is null || evidence.Embedding.Length == 0) throw new ArgumentException("a track needs an embedding");
        // checked before the space: a bad first embedding must not fix the gallery's space
        var embedding = Normed(evidence.Embedding);
        CheckSpace(embeddingSpace, embedding.Length);
        var naming = Naming;

        S.OpenTracks.TryGetValue(evidence.TrackId, out var mine);
        // an identity deleted (or merged away) under a running track no longer binds it
        string? current = mine is not null && (S.Persons.ContainsKey(mine.IdentityId) || S.Unknowns.ContainsKey(mine.IdentityId)) ? mine.IdentityId : null;
        var decision = NamingRule.Decide(new IdentityEvidence(embedding, evidence.Faces, evidence.BestQuality),
            S.Persons.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)), UnknownsWithout(mine), current, evidence.Final, naming);
        if (decision.Outcome == NamingOutcome.Undecided) return null;

        var now = time.GetUtcNow();
        bool isNew = decision.Outcome == NamingOutcome.Unknown && decision.IdentityId is null;
        string id = decision.IdentityId ?? "u-" + Guid.NewGuid().ToString("N")[..12];
        if (isNew) S.Unknowns[id] = new UnknownIdentity { Sum = new float[S.Dimension], FirstSeen = now, Incarnation = ++S.LastIncarnation };
        bool same = current == id;
        // a running track that keeps its person changes nothing worth a write
        bool quiet = same && !evidence.Final && !S.Unknowns.ContainsKey(id);
        // the track's previous share comes out, its latest goes in: a track counts once, with its best evidence
        if (mine is not null) Withdraw(mine, same);
        float[]? added = null;
        if (S.Unknowns.TryGetValue(id, out var unknown))
        {
            TensorPrimitives.Add(unknown.Sum, embedding, unknown.Sum);
            if (!same) unknown.Tracks++;
            added = embedding;
        }
        if (evidence.Final)
        {
            S.OpenTracks.Remove(evidence.TrackId);
        }
        else
        {
            S.OpenTracks[evidence.TrackId] = new TrackContribution { IdentityId = id, Embedding = added, UpdatedAt = now };
            PruneOpenTracks();
        }
        if (!quiet) await state.WriteStateAsync();
        long incarnation = S.Persons.TryGetValue(id, out var person) ? person.Incarnation : S.Unknowns.TryGetValue(id, out var u) ? u.Incarnation : 0;
        return new GalleryMatch(id, person?.Name, decision.Similarity, isNew, incarnation);
    }

    public Task<GalleryMatch?> PeekAsync(float[] normedEmbedding)
    {
        if (normedEmbedding is null || normedEmbedding.Length == 0) throw new ArgumentException("an embedding is required");
        if (S.Dimension != 0 && normedEmbedding.Length != S.Dimension) throw new ArgumentException($"embedding has {normedEmbedding.Length} values, the gallery {S.Dimension}");
        // the same rule as a track's, for a query that stands for itself: sufficient evidence, nothing created
        var d = NamingRule.Decide(new IdentityEvidence(Normed(normedEmbedding), int.MaxValue, 1),
            S.Persons.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)), S.Unknowns.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)),
            current: null, final: true, Naming);
        return Task.FromResult(d.IdentityId is { } id
            ? new GalleryMatch(id, S.Persons.TryGetValue(id, out var p) ? p.Name : null, d.Similarity, false,
                p?.Incarnation ?? S.Unknowns.GetValueOrDefault(id)?.Incarnation ?? 0)
            : null);
    }

    /// <summary>Unknown identities as candidates for a track: without the track's own share, and without one that is only this track.</summary>
    private IEnumerable<NamingCandidate> UnknownsWithout(TrackContribution? mine)
    {
        foreach (var (id, u) in S.Unknowns)
        {
            if (mine?.Embedding is { } own && mine.IdentityId == id)
            {
                if (u.Tracks <= 1) continue;
                var rest = (float[])u.Sum.Clone();
                TensorPrimitives.Subtract(rest, own, rest);
                yield return new NamingCandidate(id, rest);
            }
            else
            {
                yield return new NamingCandidate(id, u.Sum);
            }
        }
    }

    /// <summary>Takes a running track's share out of its unknown identity; one left without tracks goes (it was only this track).</summary>
    private void Withdraw(TrackContribution mine, bool staying)
    {
        if (mine.Embedding is not { } own || !S.Unknowns.TryGetValue(mine.IdentityId, out var u)) return;
        TensorPrimitives.Subtract(u.Sum, own, u.Sum);
        if (staying) return;
        if (--u.Tracks <= 0) S.Unknowns.Remove(mine.IdentityId);
    }

    /// <summary>Forgets the longest-quiet running tracks beyond <see cref="MaxOpenTracks"/> (their silo never reported an end).</summary>
    private void PruneOpenTracks()
    {
        if (S.OpenTracks.Count <= MaxOpenTracks) return;
        foreach (var key in S.OpenTracks.OrderBy(kv => kv.Value.UpdatedAt).Take(S.OpenTracks.Count - MaxOpenTracks).Select(kv => kv.Key).ToList())
            S.OpenTracks.Remove(key);
    }

    private static float[] Normed(float[] embedding)
    {
        foreach (var v in embedding)
            if (!float.IsFinite(v)) throw new ArgumentException("an embedding holds only finite values");
        var normed = Embeddings.Normalize(embedding);
        if (Embeddings.Norm(normed) < 0.5f) throw new ArgumentException("a zero embedding matches nobody");
        return normed;
    }

    public Task<GallerySettings> GetSettingsAsync() =>
        Task.FromResult(new GallerySettings(MatchThreshold, MergeThreshold, S.EmbeddingSpace, S.Dimension));

    public async Task SetThresholdsAsync(float matchThreshold, float unknownMergeThreshold)
    {
        var errors = options.Value.With(matchThreshold, unknownMergeThreshold).Validate(GalleryOptions.SectionName);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
        S.MatchThreshold = matchThreshold;
        S.UnknownMergeThreshold = unknownMergeThreshold;
        await state.WriteStateAsync();
    }

    public async Task<EnrolledPerson?> RenameAsync(string identityId, string name)
    {
        name = name.Trim();
        if (name.Length == 0) throw new ArgumentException("a person needs a name");
        // two persons never share a name: enrolling by that name could not tell which one is meant
        if (IdByName(name) is { } holder && holder != identityId) throw new InvalidOperationException($"'{holder}' is already named '{S.Persons[holder].Name}'");
        if (S.Persons.TryGetValue(identityId, out var p))
        {
            p.Name = name;
        }
        else if (S.Unknowns.Remove(identityId, out var u))
        {
            S.Persons[identityId] = p = new GalleryPerson { Name = name, Sum = u.Sum, Photos = u.Tracks, EnrolledAt = time.GetUtcNow(), Incarnation = u.Incarnation };
        }
        else
        {
            return null;
        }
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IIdentityGrain>(identityId).SetNameAsync(name);
        return new EnrolledPerson(identityId, p.Name, p.Photos, p.EnrolledAt);
    }

    /// <summary>
    /// The person of this name, compared ordinally after trimming: the same characters, not a different case, spacing or
    /// punctuation. Those may be another person ("Anne Marie" and "Anne-Marie"), and a duplicate enrolment can be merged
    /// while mixed photos cannot be told apart again. Unicode normalisation is not applied: the services run in .NET's
    /// invariant globalization mode, which has no normalisation data, so a decomposed accent (as macOS file names spell it)
    /// is another name; it shows as a second person, which can be merged.
    /// </summary>
    private string? IdByName(string name)
    {
        name = name.Trim();
        return S.Persons.FirstOrDefault(kv => string.Equals(kv.Value.Name.Trim(), name, StringComparison.Ordinal)).Key;
    }

    /// <summary>A fresh id for a new person: the name's slug, numbered (-2, -3, …) when another identity already holds it.</summary>
    private string NewPersonId(string name)
    {
        var slug = PersonId(name);
        if (!Taken(slug)) return slug;
        for (int n = 2; ; n++)
            if (PersonId(name, n) is var id && !Taken(id)) return id;

        // an id whose erase still runs is taken too: a new person under it could be wiped with the old one
        bool Taken(string id) => S.Persons.ContainsKey(id) || S.Unknowns.ContainsKey(id) || S.Erasing.Contains(id);
    }

    /// <summary>Longest identity id (the API's limit for ids in paths).</summary>
    internal const int MaxIdLength = 64;

    /// <summary>
    /// A readable person id from the name: "p-" and the lower-cased letters and digits (combining accents dropped), other
    /// runs as one '-', at most <see cref="MaxIdLength"/> characters with the number <paramref name="n"/> (from 2) appended
    /// when given.
    /// </summary>
    internal static string PersonId(string name, int n = 1)
    {
        var sb = new StringBuilder("p-");
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) sb.Append(c);
            else if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            else if (sb[^1] != '-') sb.Append('-');
        }
        var suffix = n > 1 ? "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var slug = sb.ToString(0, Math.Min(sb.Length, MaxIdLength - suffix.Length)).TrimEnd('-');
        if (slug.Length <= 2) slug = "p-person"; // no letter or digit to show (punctuation, or a script outside the BMP)
        return slug + suffix;
    }

    private void CheckSpace(string space, int dimension)
    {
        if (S.EmbeddingSpace is null)
        {
            S.EmbeddingSpace = space;
            S.Dimension = dimension;
            return;
        }
        if (S.EmbeddingSpace != space || S.Dimension != dimension)
            throw new InvalidOperationException(
                $"gallery '{this.GetPrimaryKeyString()}' holds '{S.EmbeddingSpace}' ({S.Dimension}-d) embeddings; '{space}' ({dimension}-d) cannot be compared with them");
    }
}

/// <summary>Gallery defaults (configuration section "Gallery"): the naming rule's thresholds.</summary>
public sealed class GalleryOptions : NamingOptions
{
    public const string SectionName = "Gallery";

    /// <summary>
    /// Cosine below which an enrolment photo is refused as someone else's: the edge threshold of clustering the batch (a photo
    /// must link at this similarity to its group), and the least similarity to the person's enrolled embedding when adding.
    /// For the default pack: the impostor tail of the dev pairs ends here (p99 0.248, max 0.365) while genuine pairs sit far
    /// above (median 0.662, p5 0.429). Photos of one person for enrolment vary more than video frames (years, lighting,
    /// pose), so this refuses only clear outliers; on 60 dev identities it caught every intruder and mixed batch and refused
    /// 1 genuine batch of 60. Set it near the impostor tail of another recogniser (`eval pairs`); -1 turns the check off.
    /// </summary>
    public float EnrolmentOutlierThreshold { get; set; } = 0.25f;

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>(Validate(SectionName));
        if (!(EnrolmentOutlierThreshold is >= -1 and <= 1)) e.Add($"{SectionName}:EnrolmentOutlierThreshold must be between -1 and 1 (was {EnrolmentOutlierThreshold})");
        return e;
    }
}
