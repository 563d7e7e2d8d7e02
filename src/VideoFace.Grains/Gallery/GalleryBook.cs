using System.Numerics.Tensors;
using System.Text;
using VideoFace.Abstractions;
using VideoFace.Vision.Clustering;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// The gallery's records and rules without Orleans: enrolled persons and unknown identities (each a sum of normed
/// embeddings), the running tracks' shares, erasures and merges, and the one naming rule (<see cref="NamingRule"/>)
/// applied to a track's evidence. It changes <see cref="GalleryState"/> in place and says whether it did; the grain
/// persists the state and makes the calls to other grains.
/// </summary>
internal sealed class GalleryBook(GalleryState state, string galleryName)
{
    /// <summary>The state this book reads and changes.</summary>
    public GalleryState State => state;

    /// <summary>Running tracks remembered at most; beyond it the longest-quiet are forgotten (their silo never ended them).</summary>
    internal const int MaxOpenTracks = 4096;
    internal const int MaxTrackIdLength = 256;

    private GalleryState S => state;

    /// <summary>
    /// Adds photos' embeddings to the person of this name (a new person for a new name), unless some photos do not
    /// agree with the batch or with the person and <paramref name="force"/> is not set: then nothing changes and the
    /// result names them.
    /// </summary>
    public EnrolmentResult Enroll(string name, IReadOnlyList<float[]> normedEmbeddings, string embeddingSpace, bool force, float outlierThreshold,
        DateTimeOffset now)
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
        var outliers = EnrolmentCheck.FindOutliers(normedEmbeddings, p?.Sum, outlierThreshold)
            .Select(o => new EnrolmentPhotoOutlier(o.Index, (EnrolmentOutlierReason)(int)o.Kind, o.Similarity)).ToList();
        if (outliers.Count > 0 && !force) return new EnrolmentResult(null, outliers, outlierThreshold);
        if (p is null)
        {
            id = NewPersonId(name);
            S.Persons[id] = p = new GalleryPerson { Name = name, Sum = new float[S.Dimension], EnrolledAt = now, Incarnation = ++S.LastIncarnation };
        }
        foreach (var e in normedEmbeddings) TensorPrimitives.Add(p.Sum, e, p.Sum);
        p.Photos += normedEmbeddings.Count;
        return new EnrolmentResult(new EnrolledPerson(id!, p.Name, p.Photos, p.EnrolledAt), outliers, outlierThreshold);
    }

    /// <summary>
    /// Removes the identity from matching and records its tombstone (and those of identities merged into it); null when
    /// it is unknown. A second call while the erase runs returns the same tombstone and changes nothing.
    /// </summary>
    public (IdentityTombstone? Tombstone, bool Changed) BeginErase(string identityId, DateTimeOffset now)
    {
        long incarnation;
        if (S.Persons.Remove(identityId, out var person)) incarnation = person.Incarnation;
        else if (S.Unknowns.Remove(identityId, out var unknown)) incarnation = unknown.Incarnation;
        else return (S.Erasing.Contains(identityId) ? S.Tombstones.GetValueOrDefault(identityId) : null, false);
        // from here on nothing is matched to the identity, and whatever its tracks still report is dropped, also under
        // the ids of identities merged into it earlier (their open tracks still report under those)
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
        return (tombstone, true);
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

    /// <summary>
    /// Checks that <paramref name="sourceId"/> may be merged into <paramref name="targetId"/>: false when either is not in
    /// the gallery; an enrolled person cannot go into an unknown identity.
    /// </summary>
    public bool CanMerge(string sourceId, string targetId)
    {
        if (sourceId == targetId) throw new ArgumentException($"'{sourceId}' cannot be merged into itself");
        bool sourceIsPerson = S.Persons.ContainsKey(sourceId), targetIsPerson = S.Persons.ContainsKey(targetId);
        if ((!sourceIsPerson && !S.Unknowns.ContainsKey(sourceId)) || (!targetIsPerson && !S.Unknowns.ContainsKey(targetId))) return false;
        if (sourceIsPerson && !targetIsPerson)
            throw new InvalidOperationException($"'{sourceId}' is an enrolled person and '{targetId}' an unknown identity: merge the unknown identity into the person instead");
        return true;
    }

    /// <summary>The source's embedding, tracks and running tracks go to the target; the source is remembered as merged.</summary>
    public void Merge(string sourceId, string targetId)
    {
        S.Persons.TryGetValue(sourceId, out var sourcePerson);
        S.Unknowns.TryGetValue(sourceId, out var sourceUnknown);
        S.Persons.TryGetValue(targetId, out var targetPerson);
        S.Unknowns.TryGetValue(targetId, out var targetUnknown);
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
    }

    public IReadOnlyList<EnrolledPerson> Persons() => S.Persons
        .Select(kv => new EnrolledPerson(kv.Key, kv.Value.Name, kv.Value.Photos, kv.Value.EnrolledAt))
        .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> Identities() => S.Persons.Keys.Concat(S.Unknowns.Keys).ToList();

    public IReadOnlyList<IdentityTombstone> PendingErasures() =>
        S.Erasing.Select(id => S.Tombstones.GetValueOrDefault(id)).OfType<IdentityTombstone>().ToList();

    public bool IsErased(string identityId, long incarnation) => S.Tombstones.TryGetValue(identityId, out var t) && incarnation <= t.Incarnation;

    /// <summary>
    /// Decides a track's identity on its evidence so far (null while undecided) and books the track's share; Changed
    /// is false when nothing worth persisting moved (a running track that keeps its person).
    /// </summary>
    public (GalleryMatch? Match, bool Changed) NameTrack(TrackEvidence evidence, string embeddingSpace, NamingOptions naming, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        _pruned.Clear();
        if (string.IsNullOrWhiteSpace(evidence.TrackId) || evidence.TrackId.Length > MaxTrackIdLength)
            throw new ArgumentException($"a track needs an id of 1 to {MaxTrackIdLength} characters");
        if (evidence.Embedding is null || evidence.Embedding.Length == 0) throw new ArgumentException("a track needs an embedding");
        // checked before the space: a bad first embedding must not fix the gallery's space
        var embedding = Normed(evidence.Embedding);
        CheckSpace(embeddingSpace, embedding.Length);

        S.OpenTracks.TryGetValue(evidence.TrackId, out var mine);
        // a caller that keeps the track's label (a silo's replica named it a person since) has the word on a person;
        // the track's share of an unknown identity is only ever booked here
        if (evidence.LabelledByCaller && mine is { Embedding: null }) mine = null;
        // an identity deleted (or merged away) under a running track no longer binds it
        string? current = mine is not null && (S.Persons.ContainsKey(mine.IdentityId) || S.Unknowns.ContainsKey(mine.IdentityId)) ? mine.IdentityId
            : evidence.LabelledByCaller && evidence.CurrentIdentityId is { } held && S.Persons.ContainsKey(held) ? held : null;
        var decision = NamingRule.Decide(new IdentityEvidence(embedding, evidence.Faces, evidence.BestQuality),
            S.Persons.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)), UnknownsWithout(mine), current, evidence.Final, naming);
        if (decision.Outcome == NamingOutcome.Undecided) return (null, false);

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
        if (evidence.Final || (evidence.LabelledByCaller && added is null))
        {
            S.OpenTracks.Remove(evidence.TrackId);
        }
        else
        {
            S.OpenTracks[evidence.TrackId] = new TrackContribution { IdentityId = id, Embedding = added, UpdatedAt = now };
            PruneOpenTracks();
        }
        long incarnation = S.Persons.TryGetValue(id, out var person) ? person.Incarnation : S.Unknowns.TryGetValue(id, out var u) ? u.Incarnation : 0;
        return (new GalleryMatch(id, person?.Name, decision.Similarity, isNew, incarnation), !quiet);
    }

    /// <summary>The identity a query embedding would be named (the same rule as a track's, sufficient evidence); creates nothing.</summary>
    public GalleryMatch? Peek(float[] normedEmbedding, NamingOptions naming)
    {
        if (normedEmbedding is null || normedEmbedding.Length == 0) throw new ArgumentException("an embedding is required");
        if (S.Dimension != 0 && normedEmbedding.Length != S.Dimension) throw new ArgumentException($"embedding has {normedEmbedding.Length} values, the gallery {S.Dimension}");
        var d = NamingRule.Decide(new IdentityEvidence(Normed(normedEmbedding), int.MaxValue, 1),
            S.Persons.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)), S.Unknowns.Select(kv => new NamingCandidate(kv.Key, kv.Value.Sum)),
            current: null, final: true, naming);
        return d.IdentityId is { } id
            ? new GalleryMatch(id, S.Persons.TryGetValue(id, out var p) ? p.Name : null, d.Similarity, false,
                p?.Incarnation ?? S.Unknowns.GetValueOrDefault(id)?.Incarnation ?? 0)
            : null;
    }

    /// <summary>Renames a person, or names an unknown identity (it becomes a person under its id); null when the id is not here.</summary>
    public EnrolledPerson? Rename(string identityId, string name, DateTimeOffset now)
    {
        name = name.Trim();
        if (name.Length == 0) throw new ArgumentException("a person needs a name");
        // two persons never share a name: enrolling by that name could not tell which one is meant
        if (IdByName(name) is { } holder && holder != identityId) throw new InvalidOperationException($"'{holder}' is already named '{S.Persons[holder].Name}'");
        if (S.Persons.TryGetValue(identityId, out var p))
            p.Name = name;
        else if (S.Unknowns.Remove(identityId, out var u))
            S.Persons[identityId] = p = new GalleryPerson { Name = name, Sum = u.Sum, Photos = u.Tracks, EnrolledAt = now, Incarnation = u.Incarnation };
        else
            return null;
        return new EnrolledPerson(identityId, p.Name, p.Photos, p.EnrolledAt);
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
        {
            S.OpenTracks.Remove(key);
            _pruned.Add(key);
        }
    }

    private readonly List<string> _pruned = [];

    /// <summary>Running tracks forgotten by the last <see cref="NameTrack"/> (their records change too).</summary>
    public IReadOnlyList<string> Pruned => _pruned;

    private static float[] Normed(float[] embedding)
    {
        foreach (var v in embedding)
            if (!float.IsFinite(v)) throw new ArgumentException("an embedding holds only finite values");
        var normed = Embeddings.Normalize(embedding);
        if (Embeddings.Norm(normed) < 0.5f) throw new ArgumentException("a zero embedding matches nobody");
        return normed;
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
                $"gallery '{galleryName}' holds '{S.EmbeddingSpace}' ({S.Dimension}-d) embeddings; '{space}' ({dimension}-d) cannot be compared with them");
    }
}
