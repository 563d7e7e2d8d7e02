using VideoFace.Abstractions;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// Which enrolled persons changed, in order, for the replicas that copy them: each change of a person (enrolled, photos
/// added, renamed or promoted, merged, erased) gets the next version. Kept in memory by one activation of the gallery
/// (its <see cref="Epoch"/>): a replica that follows another activation, or fell behind the kept changes, copies all.
/// Unknown identities are not logged: they change with every unknown track and only the writer decides them.
/// </summary>
internal sealed class GalleryChangeLog(int capacity = GalleryChangeLog.DefaultCapacity, int pageSize = GalleryChangeLog.DefaultPageSize)
{
    internal const int DefaultCapacity = 20_000;
    internal const int DefaultPageSize = 1_000;

    private readonly List<(long Version, string Id)> _changes = [];
    // the version up to which changes were dropped: a replica below it copies all
    private long _floor;
    // the ids of the copy begun at this version, sorted once for all its pages (and for replicas copying at once)
    private (long Version, string[] Ids) _copy = (-1, []);

    public Guid Epoch { get; } = Guid.NewGuid();

    public long Version { get; private set; }

    /// <summary>Records that these persons changed (or went).</summary>
    public void Changed(params ReadOnlySpan<string?> ids)
    {
        foreach (var id in ids)
        {
            if (id is null) continue;
            _changes.Add((++Version, id));
        }
        if (_changes.Count <= capacity) return;
        int drop = _changes.Count - capacity / 2;
        _floor = _changes[drop - 1].Version;
        _changes.RemoveRange(0, drop);
    }

    /// <summary>The next page for a replica at <paramref name="cursor"/>, read from the writer's persons.</summary>
    public GalleryChanges Next(GalleryCursor cursor, IReadOnlyDictionary<string, GalleryPerson> persons, GallerySettings settings)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Epoch != Epoch || cursor.Version < _floor || cursor.Version > Version)
            return CopyPage(new GalleryCursor(Epoch, Version), reset: true, persons, settings);
        if (cursor.After is not null) return CopyPage(cursor, reset: false, persons, settings);
        return Delta(cursor.Version, persons, settings);
    }

    /// <summary>A page of the full copy in ordinal id order; the changes made meanwhile follow as a delta from the copy's version.</summary>
    private GalleryChanges CopyPage(GalleryCursor cursor, bool reset, IReadOnlyDictionary<string, GalleryPerson> persons, GallerySettings settings)
    {
        if (_copy.Version != cursor.Version || reset)
            _copy = (cursor.Version, persons.Keys.Order(StringComparer.Ordinal).ToArray());
        int start = cursor.After is null ? 0 : Array.BinarySearch(_copy.Ids, cursor.After, StringComparer.Ordinal);
        if (start < 0) start = ~start;
        else if (cursor.After is not null) start++;
        // ids gone since the copy began are skipped (their removal follows in the delta, as do ids added meanwhile)
        var ids = _copy.Ids.Skip(start).Where(persons.ContainsKey).Take(pageSize + 1).ToList();
        bool more = ids.Count > pageSize;
        if (more) ids.RemoveAt(pageSize);
        var page = ids.Select(id => Entry(id, persons[id])).ToList();
        return new GalleryChanges(cursor with { After = more ? ids[^1] : null }, reset, page, [], more, settings);
    }

    private GalleryChanges Delta(long since, IReadOnlyDictionary<string, GalleryPerson> persons, GallerySettings settings)
    {
        int start = FirstAfter(since);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long version = since;
        int i = start;
        for (; i < _changes.Count && (ids.Count < pageSize || ids.Contains(_changes[i].Id)); i++)
        {
            ids.Add(_changes[i].Id);
            version = _changes[i].Version;
        }
        var upserts = new List<GalleryEntry>();
        var removed = new List<string>();
        foreach (var id in ids)
        {
            if (persons.TryGetValue(id, out var p)) upserts.Add(Entry(id, p));
            else removed.Add(id);
        }
        return new GalleryChanges(new GalleryCursor(Epoch, version), false, upserts, removed, i < _changes.Count, settings);
    }

    private int FirstAfter(long version)
    {
        int lo = 0, hi = _changes.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_changes[mid].Version <= version) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // a copy: the writer adds to its sums in place, and a replica on this silo may get the entry without serialisation
    private static GalleryEntry Entry(string id, GalleryPerson p) => new(id, p.Name, p.Incarnation, (float[])p.Sum.Clone());
}
