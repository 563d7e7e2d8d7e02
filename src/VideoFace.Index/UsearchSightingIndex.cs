using Cloud.Unum.USearch;

namespace VideoFace.Index;

/// <summary>
/// The embedded sighting index: SQLite (WAL, synchronous=FULL) is the source of truth, a USearch HNSW graph
/// (cosine) answers nearest-neighbour queries. A sighting is durable once <see cref="UpsertAsync"/> returns; the
/// graph file is a checkpoint tagged with the last write sequence it contains, and opening replays every later
/// change from SQLite (or rebuilds the graph when its file is missing or unreadable), so a kill -9 at any point
/// loses nothing that was acknowledged and leaves nothing half-written.
/// </summary>
public sealed class UsearchSightingIndex : ISightingIndex
{
    private const string GraphFile = "sightings.usearch";

    private readonly UsearchSightingIndexOptions _options;
    private readonly SqliteSightingStore _store;
    private readonly string _graphPath;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ReaderWriterLockSlim _graphLock = new();
    private readonly Timer? _timer;
    private readonly SightingFilterMap _filters = new();
    private USearchIndex _graph;
    private long _appliedSeq;
    private long _changesSinceCheckpoint;
    private bool _disposed;

    private UsearchSightingIndex(UsearchSightingIndexOptions options)
    {
        _options = options;
        System.IO.Directory.CreateDirectory(options.Directory);
        _graphPath = Path.Combine(options.Directory, GraphFile);
        _store = new SqliteSightingStore(Path.Combine(options.Directory, "sightings.db"), options.Dimension);
        (_graph, How) = OpenGraph();
        foreach (var (key, camera, start, last, identity) in _store.FilterFields()) _filters.Set(key, camera, start, last, identity);
        if (options.CheckpointInterval > TimeSpan.Zero)
            _timer = new Timer(_ => TryTimedCheckpoint(), null, options.CheckpointInterval, options.CheckpointInterval);
    }

    /// <summary>Opens (or creates) the index in <see cref="UsearchSightingIndexOptions.Directory"/>.</summary>
    public static UsearchSightingIndex Open(UsearchSightingIndexOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        return new UsearchSightingIndex(options);
    }

    public int Dimension => _options.Dimension;

    /// <summary>How the graph was obtained at open: "new", "checkpoint+N replayed" or "rebuilt: reason".</summary>
    public string How { get; }

    /// <summary>Vectors in the graph (equals <see cref="CountAsync"/> once writes are applied).</summary>
    public long GraphSize
    {
        get
        {
            _graphLock.EnterReadLock();
            try { return (long)_graph.Size(); }
            finally { _graphLock.ExitReadLock(); }
        }
    }

    public async Task UpsertAsync(IReadOnlyList<Sighting> sightings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        // Last write of an id within one batch wins, as it would across batches.
        var batch = sightings.GroupBy(s => s.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        foreach (var s in batch)
        {
            if (string.IsNullOrEmpty(s.Id)) throw new ArgumentException("A sighting needs an id.", nameof(sightings));
            VectorMath.Validate(s.Embedding, Dimension, $"sighting {s.Id}");
        }
        if (batch.Count == 0) return;
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var keys = _store.Upsert(batch); // committed: durable from here on
            _graphLock.EnterWriteLock();
            try
            {
                for (var i = 0; i < keys.Length; i++)
                    if (_graph.Contains((ulong)keys[i])) _graph.Remove((ulong)keys[i]);
                AddToGraph(keys, batch.Select(s => s.Embedding).ToArray());
                for (var i = 0; i < keys.Length; i++) _filters.Set(keys[i], batch[i]);
                _appliedSeq = _store.LastSeq;
            }
            finally { _graphLock.ExitWriteLock(); }
            AfterChanges(keys.Length);
        }
        finally { _writeGate.Release(); }
    }

    public Task<IReadOnlyList<SightingHit>> SearchAsync(SightingQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        VectorMath.Validate(query.Embedding, Dimension, "query");
        if (query.TopK <= 0) return Task.FromResult<IReadOnlyList<SightingHit>>([]);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sql = new SqlFilter(query);
        ulong[] keys;
        var exact = false;
        List<long> selected = [];
        _graphLock.EnterReadLock();
        try
        {
            if (_graph.Size() == 0) return Task.FromResult<IReadOnlyList<SightingHit>>([]);
            if (_filters.Compile(query) is not { } filter)
                _graph.Search(query.Embedding, Math.Max(query.TopK, _options.RerankCandidates), out keys, out _);
            else
            {
                var matching = filter.CountMatching();
                if (matching == 0) return Task.FromResult<IReadOnlyList<SightingHit>>([]);
                exact = matching <= _options.ExactScanThreshold;
                if (exact) selected = filter.MatchingKeys();
                keys = exact ? [] : FilteredGraphSearch(query, filter, matching);
            }
        }
        finally { _graphLock.ExitReadLock(); }
        if (exact) return Task.FromResult<IReadOnlyList<SightingHit>>(ExactSearch(query, selected, sql));
        // Exact re-rank: the graph's candidates scored with the stored f32 embeddings (this also undoes the
        // quantised graph's order), filtered once more by SQL against rows changed meanwhile.
        return Task.FromResult<IReadOnlyList<SightingHit>>(Rank(query, _store.GetByKeys(keys.Select(k => (long)k).ToList(), sql).Select(r => r.Sighting)));
    }

    /// <summary>The vector the graph holds for a sighting (as stored, e.g. half precision), or null when it holds none.</summary>
    internal float[]? GraphVector(string id)
    {
        if (_store.Get(id) is not { } row) return null;
        _graphLock.EnterReadLock();
        try
        {
            if (!_graph.Contains((ulong)row.Key)) return null;
            _graph.Get((ulong)row.Key, out float[] vector);
            return vector;
        }
        finally { _graphLock.ExitReadLock(); }
    }

    public Task<Sighting?> GetAsync(string id, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.FromResult(_store.Get(id)?.Sighting);
    }

    public async Task<long> DeleteAsync(IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        long deleted = 0;
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            ArgumentException.ThrowIfNullOrEmpty(id);
            deleted += await DeleteAsync("id = $id", cmd => cmd.Parameters.AddWithValue("$id", id), ct).ConfigureAwait(false);
        }
        return deleted;
    }

    public Task<long> DeleteByIdentityAsync(string identityId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identityId);
        return DeleteAsync("identity = $identity", cmd => cmd.Parameters.AddWithValue("$identity", identityId), ct);
    }

    public async Task<long> ReassignIdentityAsync(string fromIdentityId, string toIdentityId, string? name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fromIdentityId);
        ArgumentException.ThrowIfNullOrEmpty(toIdentityId);
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var moved = _store.Reassign(fromIdentityId, toIdentityId, name);
            _graphLock.EnterWriteLock();
            try { _filters.Reassign(fromIdentityId, toIdentityId); }
            finally { _graphLock.ExitWriteLock(); }
            return moved;
        }
        finally { _writeGate.Release(); }
    }

    public Task<long> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct = default) =>
        DeleteAsync("last_ticks < $before", cmd => cmd.Parameters.AddWithValue("$before", before.UtcTicks), ct);

    public Task<long> CountAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.FromResult(_store.Count());
    }

    /// <summary>Saves the graph now (atomically: temp file + rename) and records the sequence it contains.</summary>
    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Checkpoint();
        }
        finally { _writeGate.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null) await _timer.DisposeAsync().ConfigureAwait(false);
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            if (_appliedSeq != _store.CheckpointSeq) Checkpoint();
            _disposed = true;
            _graph.Dispose();
            _store.Dispose();
        }
        finally { _writeGate.Release(); }
    }

    /// <summary>Closes like a crash would: no checkpoint (tests of the replay path).</summary>
    internal void CloseWithoutCheckpoint()
    {
        _timer?.Dispose();
        _writeGate.Wait();
        _disposed = true;
        _graph.Dispose();
        _store.Dispose();
        _writeGate.Release();
    }

    private async Task<long> DeleteAsync(string where, Action<Microsoft.Data.Sqlite.SqliteCommand> bind, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var keys = _store.Delete(where, bind);
            _graphLock.EnterWriteLock();
            try
            {
                foreach (var key in keys)
                {
                    _graph.Remove((ulong)key);
                    _filters.Remove(key);
                }
                _appliedSeq = _store.LastSeq;
            }
            finally { _graphLock.ExitWriteLock(); }
            AfterChanges(keys.Count);
            return keys.Count;
        }
        finally { _writeGate.Release(); }
    }

    /// <summary>
    /// Many rows pass the filter, but not all: USearch's filtered search asks the in-memory filter map about each
    /// candidate during the graph walk and skips the others (rather than fetching k × factor neighbours and hoping
    /// enough pass). At least <see cref="FilteredFetchFloor"/> are fetched: the walk is as wide as the number asked,
    /// and a filtered walk needs that width (recall@10 on 100k clustered faces with a 10 % filter: 0.967 asking 2k,
    /// 0.993 asking 256); the exact re-rank then also undoes the half-precision graph order.
    /// Caller holds the graph read lock.
    /// </summary>
    private ulong[] FilteredGraphSearch(SightingQuery query, SightingFilterMap.Compiled filter, long matching)
    {
        var fetch = Math.Max(Math.Max(2L * query.TopK, FilteredFetchFloor), _options.RerankCandidates);
        return UsearchNative.FilteredSearch(_graph, query.Embedding, (int)Math.Min(fetch, matching), filter);
    }

    private const int FilteredFetchFloor = 256;

    /// <summary>
    /// Few rows pass the filter: score each of them exactly. The rows are the keys the in-memory map selected, read by
    /// primary key (no filter evaluated in SQL, so a time range does not scan half the table through one index).
    /// </summary>
    private List<SightingHit> ExactSearch(SightingQuery query, List<long> selected, SqlFilter filter)
    {
        var best = new PriorityQueue<long, float>(query.TopK + 1); // min-heap on similarity: the root is the worst kept
        foreach (var (key, embedding) in _store.EmbeddingsByKeys(selected))
        {
            var sim = VectorMath.Cosine(query.Embedding, embedding);
            if (query.MinSimilarity is { } min && sim < min) continue;
            if (best.Count < query.TopK) best.Enqueue(key, sim);
            else if (best.TryPeek(out _, out var worst) && sim > worst) best.EnqueueDequeue(key, sim);
        }
        var keys = new List<long>(best.Count);
        while (best.TryDequeue(out var k, out _)) keys.Add(k);
        return Rank(query, _store.GetByKeys(keys, filter).Select(r => r.Sighting));
    }

    private static List<SightingHit> Rank(SightingQuery query, IEnumerable<Sighting> sightings) =>
        sightings.Select(s => new SightingHit(s, VectorMath.Cosine(query.Embedding, s.Embedding)))
            .Where(h => query.MinSimilarity is not { } min || h.Similarity >= min)
            .OrderByDescending(h => h.Similarity).ThenBy(h => h.Sighting.Id, StringComparer.Ordinal)
            .Take(query.TopK).ToList();

    /// <summary>Adds vectors under the write lock; large batches in parallel (USearch inserts are thread-safe).</summary>
    private void AddToGraph(IReadOnlyList<long> keys, IReadOnlyList<float[]> vectors)
    {
        var needed = _graph.Size() + (ulong)keys.Count;
        if (_graph.Capacity() < needed)
            UsearchNative.Reserve(_graph, Math.Max(needed, _graph.Capacity() * 3 / 2 + 1_024)); // grow geometrically
        if (keys.Count < 256)
        {
            for (var i = 0; i < keys.Count; i++) _graph.Add((ulong)keys[i], vectors[i]);
            return;
        }
        else
        {
            Parallel.For(0, keys.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => _graph.Add((ulong)keys[i], vectors[i]));
        }
        TuneSearchExpansion();
    }

    /// <summary>
    /// The search expansion for a graph of <paramref name="size"/> vectors: <see cref="UsearchSightingIndexOptions.ExpansionSearch"/>
    /// up to 100k, then growing with log2(size / 100k) — a wider walk keeps recall as the graph gets deeper
    /// (1M clustered faces: recall@10 0.83 at 128).
    /// </summary>
    internal static int SearchExpansionFor(int configured, ulong size) =>
        size <= 100_000 ? configured : (int)Math.Ceiling(configured * (1 + Math.Log2(size / 100_000.0)));

    private int _searchExpansion;

    /// <summary>Sets the search expansion of the current graph (benchmark sweeps over one build); later growth re-tunes it.</summary>
    internal void SetSearchExpansion(int expansion)
    {
        _graphLock.EnterWriteLock();
        try
        {
            UsearchNative.SetExpansion(_graph, _options.ExpansionAdd, expansion);
            _searchExpansion = expansion;
        }
        finally { _graphLock.ExitWriteLock(); }
    }

    internal int SearchExpansion => _searchExpansion;

    /// <summary>Bytes the graph holds in memory (vectors + links), as USearch counts them.</summary>
    internal long GraphMemoryBytes
    {
        get
        {
            _graphLock.EnterReadLock();
            try { return UsearchNative.MemoryUsage(_graph); }
            finally { _graphLock.ExitReadLock(); }
        }
    }

    /// <summary>Caller holds the write lock (or is opening the index): no search runs while the setting changes.</summary>
    private void TuneSearchExpansion()
    {
        var ef = SearchExpansionFor(_options.ExpansionSearch, _graph.Size());
        if (ef == _searchExpansion) return;
        UsearchNative.SetExpansion(_graph, _options.ExpansionAdd, ef);
        _searchExpansion = ef;
    }

    private (USearchIndex Graph, string How) OpenGraph()
    {
        var checkpointSeq = _store.CheckpointSeq;
        if (File.Exists(_graphPath) && checkpointSeq > 0)
        {
            USearchIndex? graph = null;
            try
            {
                graph = new USearchIndex(_graphPath, view: false);
                if ((int)graph.Dimensions() != Dimension) throw new InvalidDataException($"graph has {graph.Dimensions()} dimensions");
                UsearchNative.SetExpansion(graph, _options.ExpansionAdd, _options.ExpansionSearch);
                _searchExpansion = _options.ExpansionSearch;
                _graph = graph;
                var replayed = Replay(checkpointSeq);
                var count = _store.Count();
                if ((long)graph.Size() != count) throw new InvalidDataException($"graph holds {graph.Size()} vectors, SQLite {count} rows");
                _appliedSeq = _store.LastSeq;
                return (graph, $"checkpoint+{replayed} replayed");
            }
            catch (Exception e) when (e is USearchException or InvalidDataException or IOException)
            {
                graph?.Dispose();
                return (Rebuild(), "rebuilt: " + e.Message);
            }
        }
        var how = File.Exists(_graphPath) ? "rebuilt: no checkpoint recorded" : _store.Count() == 0 ? "new" : "rebuilt: graph file missing";
        return (Rebuild(), how);
    }

    private int Replay(long afterSeq)
    {
        var replayed = 0;
        var keys = new List<long>();
        var vectors = new List<float[]>();
        foreach (var (_, key, embedding) in _store.ChangesAfter(afterSeq))
        {
            if (_graph.Contains((ulong)key)) _graph.Remove((ulong)key);
            if (embedding is not null) { keys.Add(key); vectors.Add(embedding); }
            replayed++;
        }
        AddToGraph(keys, vectors);
        return replayed;
    }

    private USearchIndex Rebuild()
    {
        _graph = NewGraph();
        _searchExpansion = _options.ExpansionSearch;
        var keys = new List<long>();
        var vectors = new List<float[]>();
        foreach (var (_, key, embedding) in _store.ChangesAfter(0))
        {
            if (embedding is null) continue;
            keys.Add(key);
            vectors.Add(embedding);
            if (keys.Count == 50_000) { AddToGraph(keys, vectors); keys.Clear(); vectors.Clear(); }
        }
        AddToGraph(keys, vectors);
        _appliedSeq = _store.LastSeq;
        _changesSinceCheckpoint = _store.Count();
        if (File.Exists(_graphPath)) File.Delete(_graphPath);
        return _graph;
    }

    private USearchIndex NewGraph() => new(
        MetricKind.Cos,
        _options.Quantization switch
        {
            VectorQuantization.Float16 => ScalarKind.Float16,
            VectorQuantization.Int8 => ScalarKind.Int8,
            _ => ScalarKind.Float32,
        },
        (ulong)_options.Dimension,
        (ulong)_options.Connectivity,
        (ulong)_options.ExpansionAdd,
        (ulong)_options.ExpansionSearch);

    private void AfterChanges(int changes)
    {
        _changesSinceCheckpoint += changes;
        if (_options.CheckpointEveryChanges > 0 && _changesSinceCheckpoint >= _options.CheckpointEveryChanges) Checkpoint();
    }

    private void TryTimedCheckpoint()
    {
        if (!_writeGate.Wait(0)) return; // busy writer: next tick
        try
        {
            if (!_disposed && _appliedSeq != _store.CheckpointSeq) Checkpoint();
        }
        catch (Exception e) when (e is USearchException or IOException)
        {
            // The graph stays recoverable from SQLite; the next checkpoint retries.
        }
        finally { _writeGate.Release(); }
    }

    /// <summary>Caller holds the write gate, so the graph cannot change while it is saved.</summary>
    private void Checkpoint()
    {
        var tmp = _graphPath + ".tmp";
        _graphLock.EnterReadLock();
        try { _graph.Save(tmp); }
        finally { _graphLock.ExitReadLock(); }
        using (var f = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true);
        File.Move(tmp, _graphPath, overwrite: true);
        // Only after the file is in place: a crash in between leaves an older recorded sequence, and replaying
        // changes the file already holds is idempotent (remove + re-add).
        _store.SetCheckpoint(_appliedSeq);
        _changesSinceCheckpoint = 0;
    }
}
