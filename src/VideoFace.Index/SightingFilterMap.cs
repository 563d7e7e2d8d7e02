namespace VideoFace.Index;

/// <summary>
/// The filterable fields of every stored sighting (camera, start, last, identity), in memory per graph key, so a
/// filtered search decides "does this key pass?" during the graph walk without asking SQLite. Columnar arrays
/// indexed by a slot (key → slot map; freed slots are reused), cameras and identities interned to ints.
/// About 40 bytes per sighting (≈ 40 MB at 1M). Not thread-safe: the index changes it under its graph write lock
/// and reads it under the read lock.
/// </summary>
internal sealed class SightingFilterMap
{
    private const int Free = -1, NoIdentity = -1;

    private readonly Dictionary<long, int> _slotOf = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly Dictionary<string, int> _cameraIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _identityIds = new(StringComparer.Ordinal);
    private readonly List<int> _perCamera = []; // live rows per interned camera
    private int[] _camera = new int[1_024];
    private int[] _identity = new int[1_024];
    private long[] _start = new long[1_024];
    private long[] _last = new long[1_024];
    private int _slots;

    public int Count => _slotOf.Count;

    /// <summary>Adds or replaces the fields of a key (last write wins).</summary>
    public void Set(long key, string camera, long startTicks, long lastTicks, string? identity)
    {
        if (!_slotOf.TryGetValue(key, out var slot))
        {
            slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : NewSlot();
            _slotOf[key] = slot;
        }
        else _perCamera[_camera[slot]]--;
        var cam = Intern(_cameraIds, camera);
        while (_perCamera.Count <= cam) _perCamera.Add(0);
        _perCamera[cam]++;
        _camera[slot] = cam;
        _identity[slot] = identity is null ? NoIdentity : Intern(_identityIds, identity);
        _start[slot] = startTicks;
        _last[slot] = lastTicks;
    }

    public void Set(long key, Sighting s) => Set(key, s.CameraId, s.Start.UtcTicks, (s.End ?? s.Start).UtcTicks, s.IdentityId);

    public void Remove(long key)
    {
        if (!_slotOf.Remove(key, out var slot)) return;
        _perCamera[_camera[slot]]--;
        _camera[slot] = Free;
        _freeSlots.Push(slot);
    }

    /// <summary>Moves every row of one identity to another (identities merged or renamed).</summary>
    public void Reassign(string from, string to)
    {
        if (!_identityIds.TryGetValue(from, out var f)) return;
        var t = Intern(_identityIds, to);
        for (var i = 0; i < _slots; i++)
            if (_camera[i] != Free && _identity[i] == f) _identity[i] = t;
    }

    /// <summary>The query's filters over interned ids; null when the query does not filter.</summary>
    public Compiled? Compile(SightingQuery q)
    {
        bool[]? cameras = null;
        var camerasOnly = q.From is null && q.To is null && q.IdentityId is null;
        var none = false;
        if (q.Cameras is { Count: > 0 } list)
        {
            cameras = new bool[_perCamera.Count];
            var any = false;
            foreach (var c in list)
                if (_cameraIds.TryGetValue(c, out var id)) { cameras[id] = true; any = true; }
            none |= !any;
        }
        var identity = NoIdentity;
        if (q.IdentityId is { } who)
        {
            if (_identityIds.TryGetValue(who, out var id)) identity = id;
            else none = true;
        }
        if (cameras is null && q.From is null && q.To is null && q.IdentityId is null) return null;
        return new Compiled(this, none, cameras, camerasOnly, q.From?.UtcTicks ?? long.MinValue, q.To?.UtcTicks ?? long.MaxValue,
            q.IdentityId is null ? null : identity);
    }

    private int NewSlot()
    {
        if (_slots == _camera.Length)
        {
            var n = _slots * 2;
            Array.Resize(ref _camera, n);
            Array.Resize(ref _identity, n);
            Array.Resize(ref _start, n);
            Array.Resize(ref _last, n);
        }
        return _slots++;
    }

    private static int Intern(Dictionary<string, int> ids, string value)
    {
        if (!ids.TryGetValue(value, out var id)) ids[value] = id = ids.Count;
        return id;
    }

    /// <summary>A query's filter against the map: the graph walk's predicate and the count of passing rows.</summary>
    internal sealed class Compiled(SightingFilterMap map, bool none, bool[]? cameras, bool camerasOnly, long from, long to, int? identity)
    {
        public bool Allows(long key) => !none && map._slotOf.TryGetValue(key, out var slot) && Passes(slot);

        /// <summary>Rows passing the filter (per-camera counters when only cameras filter, else one pass over the columns).</summary>
        public long CountMatching()
        {
            if (none) return 0;
            if (camerasOnly && cameras is not null)
            {
                long n = 0;
                for (var c = 0; c < cameras.Length; c++) if (cameras[c]) n += map._perCamera[c];
                return n;
            }
            long count = 0;
            for (var slot = 0; slot < map._slots; slot++)
                if (map._camera[slot] != Free && Passes(slot)) count++;
            return count;
        }

        /// <summary>The keys of the rows passing the filter (for an exact scan of a small selection).</summary>
        public List<long> MatchingKeys()
        {
            var keys = new List<long>();
            if (none) return keys;
            foreach (var (key, slot) in map._slotOf)
                if (Passes(slot)) keys.Add(key);
            return keys;
        }

        private bool Passes(int slot)
        {
            var cam = map._camera[slot];
            if (cam == Free) return false;
            if (cameras is not null && (cam >= cameras.Length || !cameras[cam])) return false;
            // Overlap of [start, last] with [from, to]; an open sighting's last is its start.
            if (map._start[slot] > to || map._last[slot] < from) return false;
            return identity is not { } id || map._identity[slot] == id;
        }
    }
}
