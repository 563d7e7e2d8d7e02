using System.Runtime.InteropServices;
using Orleans.Storage;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// The identities and running tracks of one partition of a gallery (a stable hash of the id picks it): a record of its
/// own, so an unknown track's notice rewrites one small record instead of every identity. The identities' embedding
/// sums are kept as raw float32 bytes in <see cref="Sums"/> (not in the records, whose <c>Sum</c> is empty here): a JSON
/// storage serializer writes them as base64, four times smaller and far quicker to read than numbers in text.
/// </summary>
[GenerateSerializer, Alias("vf.GalleryPartition")]
public sealed class GalleryPartition
{
    [Id(0)] public Dictionary<string, GalleryPerson> Persons { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, UnknownIdentity> Unknowns { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, TrackContribution> OpenTracks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Identity id → its embedding sum as little-endian float32 bytes.</summary>
    [Id(3)] public Dictionary<string, byte[]> Sums { get; set; } = new(StringComparer.Ordinal);

    internal static byte[] Pack(float[] sum) => MemoryMarshal.AsBytes(sum.AsSpan()).ToArray();

    internal static float[] Unpack(byte[]? bytes) => bytes is null ? [] : MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}

/// <summary>What an operation changed: identities and running tracks (their partitions are rewritten) and the gallery's own record.</summary>
internal sealed record GalleryChange(IReadOnlyCollection<string> Identities, IReadOnlyCollection<string> Tracks, bool Gallery)
{
    public static readonly GalleryChange GalleryOnly = new([], [], true);
}

/// <summary>
/// Persists a gallery as small records in the grain storage: the gallery's own record (space, thresholds, incarnations,
/// tombstones, merges) under the state name "gallery", and its identities and running tracks over
/// <see cref="Partitions"/> partition records ("gallery-00" … "gallery-ff"). The gallery's record is written first,
/// then the partitions; loading reconciles a write cut in between (an identity newer than the last incarnation raises
/// it, an erased or merged-away one is dropped). A gallery stored whole, as one record, is split at its first load.
/// </summary>
internal sealed class GalleryStore(IGrainStorage storage, GrainId grainId)
{
    /// <summary>Partition records: at 100,000 identities of 512 floats about 800 kB each.</summary>
    internal const int Partitions = 256;
    internal const string StateName = "gallery";

    private readonly GrainState<GalleryState> _gallery = new(new GalleryState());
    private readonly GrainState<GalleryPartition>[] _parts =
        Enumerable.Range(0, Partitions).Select(_ => new GrainState<GalleryPartition>(new GalleryPartition())).ToArray();
    // which identities live in each partition (kept with the state, so a write does not hash every identity)
    private readonly HashSet<string>[] _members = Enumerable.Range(0, Partitions).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();

    /// <summary>The partition of an identity or track id: FNV-1a over its characters, stable across processes.</summary>
    internal static int PartitionOf(string id)
    {
        uint h = 2166136261;
        foreach (char c in id) h = (h ^ c) * 16777619;
        return (int)(h % Partitions);
    }

    internal static string PartitionName(int partition) => $"{StateName}-{partition:x2}";

    public async Task<GalleryState> LoadAsync()
    {
        await storage.ReadStateAsync(StateName, grainId, _gallery);
        var state = _gallery.State ??= new GalleryState();
        bool whole = state.Persons.Count + state.Unknowns.Count + state.OpenTracks.Count > 0;
        for (int p = 0; p < Partitions; p += 16)
            await Task.WhenAll(Enumerable.Range(p, 16).Select(i => storage.ReadStateAsync(PartitionName(i), grainId, _parts[i])));
        foreach (var part in _parts)
        {
            part.State ??= new GalleryPartition();
            var sums = part.State.Sums;
            foreach (var (id, person) in part.State.Persons)
            {
                if (sums.TryGetValue(id, out var sum)) person.Sum = GalleryPartition.Unpack(sum);
                state.Persons[id] = person;
            }
            foreach (var (id, unknown) in part.State.Unknowns)
            {
                if (sums.TryGetValue(id, out var sum)) unknown.Sum = GalleryPartition.Unpack(sum);
                state.Unknowns[id] = unknown;
            }
            foreach (var (id, track) in part.State.OpenTracks) state.OpenTracks[id] = track;
            // the records now live in the state; only the ETag is kept
            part.State = new GalleryPartition();
        }
        Reconcile(state);
        foreach (var id in state.Persons.Keys.Concat(state.Unknowns.Keys)) _members[PartitionOf(id)].Add(id);
        // a gallery stored whole: into partitions, then the gallery's record without its identities
        if (!whole) return state;
        await SaveAsync(state, new GalleryChange([.. state.Persons.Keys, .. state.Unknowns.Keys], [.. state.OpenTracks.Keys], Gallery: false));
        await SaveAsync(state, GalleryChange.GalleryOnly);
        return state;
    }

    /// <summary>Writes the gallery's record (when it changed), then the partitions of the changed identities and tracks.</summary>
    public async Task SaveAsync(GalleryState state, GalleryChange change)
    {
        if (change.Gallery)
        {
            _gallery.State = Own(state);
            await storage.WriteStateAsync(StateName, grainId, _gallery);
        }
        var dirty = new SortedSet<int>();
        foreach (var id in change.Identities)
        {
            int p = PartitionOf(id);
            if (state.Persons.ContainsKey(id) || state.Unknowns.ContainsKey(id)) _members[p].Add(id);
            else _members[p].Remove(id);
            dirty.Add(p);
        }
        foreach (var track in change.Tracks) dirty.Add(PartitionOf(track));
        foreach (int p in dirty)
        {
            var part = _parts[p].State = Project(state, p);
            // a partition never written and still empty stays unwritten
            if (part.Persons.Count + part.Unknowns.Count + part.OpenTracks.Count > 0 || _parts[p].ETag is not null)
                await storage.WriteStateAsync(PartitionName(p), grainId, _parts[p]);
            // the packed copy goes: only the ETag is kept
            _parts[p].State = new GalleryPartition();
        }
    }

    private GalleryPartition Project(GalleryState state, int p)
    {
        var part = new GalleryPartition();
        foreach (var id in _members[p])
        {
            if (state.Persons.TryGetValue(id, out var person))
            {
                part.Persons[id] = new GalleryPerson { Name = person.Name, Photos = person.Photos, EnrolledAt = person.EnrolledAt, Incarnation = person.Incarnation };
                part.Sums[id] = GalleryPartition.Pack(person.Sum);
            }
            else if (state.Unknowns.TryGetValue(id, out var unknown))
            {
                part.Unknowns[id] = new UnknownIdentity { Tracks = unknown.Tracks, FirstSeen = unknown.FirstSeen, Incarnation = unknown.Incarnation };
                part.Sums[id] = GalleryPartition.Pack(unknown.Sum);
            }
        }
        // running tracks are few (at most GalleryBook.MaxOpenTracks): a scan is cheaper than another index
        foreach (var (id, track) in state.OpenTracks)
            if (PartitionOf(id) == p) part.OpenTracks[id] = track;
        return part;
    }

    /// <summary>The gallery's record: everything but its identities and running tracks.</summary>
    private static GalleryState Own(GalleryState s) => new()
    {
        EmbeddingSpace = s.EmbeddingSpace, Dimension = s.Dimension, MatchThreshold = s.MatchThreshold, UnknownMergeThreshold = s.UnknownMergeThreshold,
        LastIncarnation = s.LastIncarnation, Tombstones = s.Tombstones, Erasing = s.Erasing, Merged = s.Merged,
    };

    /// <summary>Mends a write cut between the gallery's record and a partition (the gallery's record is written first).</summary>
    private static void Reconcile(GalleryState s)
    {
        foreach (var id in s.Persons.Keys.Concat(s.Unknowns.Keys).ToList())
        {
            long incarnation = s.Persons.TryGetValue(id, out var p) ? p.Incarnation : s.Unknowns[id].Incarnation;
            s.LastIncarnation = Math.Max(s.LastIncarnation, incarnation);
            bool gone = (s.Tombstones.TryGetValue(id, out var t) && incarnation <= t.Incarnation)
                || (s.Merged.TryGetValue(id, out var m) && m.Incarnation == incarnation);
            if (!gone) continue;
            s.Persons.Remove(id);
            s.Unknowns.Remove(id);
        }
    }
}
