using System.Globalization;
using Microsoft.Data.Sqlite;

namespace VideoFace.Index;

/// <summary>A stored row: its graph key, write sequence and the sighting (embedding included).</summary>
internal readonly record struct StoredSighting(long Key, long Seq, Sighting Sighting);

/// <summary>The SQL form of a query's filters (cameras, time overlap, identity) over the sightings table.</summary>
internal sealed class SqlFilter
{
    private readonly List<(string Name, object Value)> _parameters = [];

    public SqlFilter(SightingQuery q)
    {
        var clauses = new List<string>();
        if (q.Cameras is { Count: > 0 } cameras)
        {
            var names = cameras.Distinct(StringComparer.Ordinal).Select((c, i) => Add($"$cam{i}", c));
            clauses.Add($"camera IN ({string.Join(',', names)})");
        }
        // Overlap of [start, last] with [From, To]; an open sighting's last is its start (as retention treats it).
        if (q.To is { } to) clauses.Add($"start_ticks <= {Add("$to", to.UtcTicks)}");
        if (q.From is { } from) clauses.Add($"last_ticks >= {Add("$from", from.UtcTicks)}");
        if (q.IdentityId is { } identity) clauses.Add($"identity = {Add("$identity", identity)}");
        Where = clauses.Count == 0 ? "" : string.Join(" AND ", clauses);
    }

    /// <summary>The condition without "WHERE"; empty when the query does not filter.</summary>
    public string Where { get; }

    public bool IsEmpty => Where.Length == 0;

    public string And => IsEmpty ? "" : " AND " + Where;

    public void Bind(SqliteCommand cmd)
    {
        foreach (var (name, value) in _parameters) cmd.Parameters.AddWithValue(name, value);
    }

    private string Add(string name, object value)
    {
        _parameters.Add((name, value));
        return name;
    }
}

/// <summary>
/// The SQLite half of the embedded index and its source of truth: one row per sighting with the full f32
/// embedding (so the graph can always be rebuilt and hits re-scored exactly), a monotonically increasing write
/// sequence per change, and tombstones for deletions newer than the last graph checkpoint.
/// WAL + synchronous=FULL: a change is on disk when its transaction commits.
/// </summary>
internal sealed class SqliteSightingStore : IDisposable
{
    private const string Columns =
        "key, seq, id, camera, start_ticks, end_ticks, track, identity, identity_name, identity_sim, thumb, embedding, keyframe, keyframe_box";

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly int _dimension;

    public SqliteSightingStore(string path, int dimension)
    {
        _dimension = dimension;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS sightings(
                key INTEGER PRIMARY KEY AUTOINCREMENT,
                seq INTEGER NOT NULL,
                id TEXT NOT NULL UNIQUE,
                camera TEXT NOT NULL,
                start_ticks INTEGER NOT NULL,
                end_ticks INTEGER NULL,
                last_ticks INTEGER NOT NULL,
                track TEXT NOT NULL,
                identity TEXT NULL,
                identity_name TEXT NULL,
                identity_sim REAL NOT NULL,
                thumb TEXT NULL,
                embedding BLOB NOT NULL,
                keyframe TEXT NULL,
                keyframe_box BLOB NULL);
            CREATE INDEX IF NOT EXISTS ix_sightings_seq ON sightings(seq);
            CREATE INDEX IF NOT EXISTS ix_sightings_camera ON sightings(camera, start_ticks);
            CREATE INDEX IF NOT EXISTS ix_sightings_identity ON sightings(identity);
            CREATE INDEX IF NOT EXISTS ix_sightings_last ON sightings(last_ticks);
            CREATE TABLE IF NOT EXISTS deletions(seq INTEGER PRIMARY KEY, key INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
        AddMissingColumns();
        var stored = (long?)Scalar(_writer, "SELECT value FROM meta WHERE name = 'dimension'");
        if (stored is { } d && d != dimension)
            throw new InvalidOperationException($"The sighting database at {path} holds {d}-d embeddings, not {dimension}-d.");
        Execute(_writer, $"INSERT OR IGNORE INTO meta(name, value) VALUES ('dimension', {dimension})");
        LastSeq = Math.Max(
            (long)Scalar(_writer, "SELECT COALESCE(MAX(seq), 0) FROM sightings")!,
            Math.Max((long)Scalar(_writer, "SELECT COALESCE(MAX(seq), 0) FROM deletions")!, CheckpointSeq));
    }

    /// <summary>Highest write sequence number committed (only the single writer advances it).</summary>
    public long LastSeq { get; private set; }

    /// <summary>Sequence number the saved graph file includes.</summary>
    public long CheckpointSeq
    {
        get => (long?)Scalar(_writer, "SELECT value FROM meta WHERE name = 'checkpoint_seq'") ?? 0;
    }

    public void SetCheckpoint(long seq)
    {
        using var tx = _writer.BeginTransaction();
        Execute(_writer, $"INSERT INTO meta(name, value) VALUES ('checkpoint_seq', {seq}) ON CONFLICT(name) DO UPDATE SET value = excluded.value", tx);
        Execute(_writer, $"DELETE FROM deletions WHERE seq <= {seq}", tx);
        tx.Commit();
    }

    /// <summary>Inserts or replaces rows in one transaction; returns each sighting's graph key (stable across replaces).</summary>
    public long[] Upsert(IReadOnlyList<Sighting> sightings)
    {
        var keys = new long[sightings.Count];
        var seq = LastSeq;
        using (var tx = _writer.BeginTransaction())
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO sightings(seq, id, camera, start_ticks, end_ticks, last_ticks, track, identity, identity_name, identity_sim, thumb, embedding,
                    keyframe, keyframe_box)
                VALUES ($seq, $id, $camera, $start, $end, $last, $track, $identity, $identity_name, $sim, $thumb, $embedding, $keyframe, $keyframe_box)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, camera = excluded.camera, start_ticks = excluded.start_ticks,
                    end_ticks = excluded.end_ticks, last_ticks = excluded.last_ticks, track = excluded.track, identity = excluded.identity,
                    identity_name = excluded.identity_name, identity_sim = excluded.identity_sim, thumb = excluded.thumb,
                    embedding = excluded.embedding, keyframe = excluded.keyframe, keyframe_box = excluded.keyframe_box
                RETURNING key
                """;
            var p = new Dictionary<string, SqliteParameter>();
            foreach (var name in new[] { "$seq", "$id", "$camera", "$start", "$end", "$last", "$track", "$identity", "$identity_name", "$sim", "$thumb", "$embedding", "$keyframe", "$keyframe_box" })
                p[name] = cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            for (var i = 0; i < sightings.Count; i++)
            {
                var s = sightings[i];
                p["$seq"].Value = ++seq;
                p["$id"].Value = s.Id;
                p["$camera"].Value = s.CameraId;
                p["$start"].Value = s.Start.UtcTicks;
                p["$end"].Value = s.End is { } e ? e.UtcTicks : DBNull.Value;
                p["$last"].Value = (s.End ?? s.Start).UtcTicks;
                p["$track"].Value = s.TrackId;
                p["$identity"].Value = (object?)s.IdentityId ?? DBNull.Value;
                p["$identity_name"].Value = (object?)s.IdentityName ?? DBNull.Value;
                p["$sim"].Value = (double)s.IdentitySimilarity;
                p["$thumb"].Value = (object?)s.ThumbnailKey ?? DBNull.Value;
                p["$embedding"].Value = VectorMath.ToBytes(s.Embedding);
                p["$keyframe"].Value = (object?)s.KeyframeKey ?? DBNull.Value;
                p["$keyframe_box"].Value = s.KeyframeBox is { } b ? VectorMath.ToBytes([b.X, b.Y, b.Width, b.Height]) : DBNull.Value;
                keys[i] = (long)cmd.ExecuteScalar()!;
            }
            tx.Commit();
        }
        LastSeq = seq;
        return keys;
    }

    /// <summary>Deletes the rows matching a condition and leaves tombstones for the graph; returns their keys.</summary>
    public List<long> Delete(string where, Action<SqliteCommand> bind)
    {
        var keys = new List<long>();
        using var tx = _writer.BeginTransaction();
        using (var cmd = _writer.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"DELETE FROM sightings WHERE {where} RETURNING key";
            bind(cmd);
            using var r = cmd.ExecuteReader();
            while (r.Read()) keys.Add(r.GetInt64(0));
        }
        if (keys.Count > 0)
        {
            using var ins = _writer.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = "INSERT INTO deletions(seq, key) VALUES ($seq, $key)";
            var seqP = ins.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
            var keyP = ins.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
            var seq = LastSeq;
            foreach (var key in keys)
            {
                seqP.Value = ++seq;
                keyP.Value = key;
                ins.ExecuteNonQuery();
            }
            tx.Commit();
            LastSeq = seq;
        }
        return keys;
    }

    /// <summary>Rewrites the identity fields of an identity's rows (payload only: embeddings and the graph are untouched).</summary>
    public long Reassign(string fromIdentity, string toIdentity, string? name)
    {
        using var cmd = _writer.CreateCommand();
        cmd.CommandText = "UPDATE sightings SET identity = $to, identity_name = $name WHERE identity = $from";
        cmd.Parameters.AddWithValue("$from", fromIdentity);
        cmd.Parameters.AddWithValue("$to", toIdentity);
        cmd.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        return cmd.ExecuteNonQuery();
    }

    public long Count()
    {
        using var c = OpenReader();
        return (long)Scalar(c, "SELECT COUNT(*) FROM sightings")!;
    }

    /// <summary>The filterable fields of every row (loaded into memory at open).</summary>
    public IEnumerable<(long Key, string Camera, long StartTicks, long LastTicks, string? Identity)> FilterFields()
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT key, camera, start_ticks, last_ticks, identity FROM sightings";
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return (r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4));
    }

    public StoredSighting? Get(string id)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM sightings WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <summary>Rows with the given keys that pass the filter (missing keys — deleted meanwhile — are skipped).</summary>
    public List<StoredSighting> GetByKeys(IReadOnlyList<long> keys, SqlFilter filter)
    {
        var rows = new List<StoredSighting>(keys.Count);
        using var c = OpenReader();
        // Keys are integers produced by SQLite itself, so inlining them is safe and avoids the parameter limit.
        for (var start = 0; start < keys.Count; start += 2_000)
        {
            var chunk = string.Join(',', keys.Skip(start).Take(2_000).Select(k => k.ToString(CultureInfo.InvariantCulture)));
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT {Columns} FROM sightings WHERE key IN ({chunk}){filter.And}";
            filter.Bind(cmd);
            using var r = cmd.ExecuteReader();
            while (r.Read()) rows.Add(Read(r));
        }
        return rows;
    }

    /// <summary>Streams (key, embedding) of the rows with the given keys (looked up by primary key; missing keys skipped).</summary>
    public IEnumerable<(long Key, float[] Embedding)> EmbeddingsByKeys(IReadOnlyList<long> keys)
    {
        using var c = OpenReader();
        for (var start = 0; start < keys.Count; start += 2_000)
        {
            // integers produced by SQLite itself: safe to inline
            var chunk = string.Join(',', keys.Skip(start).Take(2_000).Select(k => k.ToString(CultureInfo.InvariantCulture)));
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT key, embedding FROM sightings WHERE key IN ({chunk})";
            using var r = cmd.ExecuteReader();
            while (r.Read()) yield return (r.GetInt64(0), EmbeddingOf(r, 1));
        }
    }

    /// <summary>Changes after a sequence number, in order: upserted rows (key, embedding) and deleted keys (embedding null).</summary>
    public IEnumerable<(long Seq, long Key, float[]? Embedding)> ChangesAfter(long seq)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT seq, key, embedding FROM sightings WHERE seq > $seq
            UNION ALL SELECT seq, key, NULL FROM deletions WHERE seq > $seq
            ORDER BY 1
            """;
        cmd.Parameters.AddWithValue("$seq", seq);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return (r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : EmbeddingOf(r, 2));
    }

    public void Dispose()
    {
        _writer.Dispose();
        SqliteConnection.ClearPool(_writer);
    }

    private SqliteConnection OpenReader()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    private float[] EmbeddingOf(SqliteDataReader r, int ordinal)
    {
        var bytes = (byte[])r.GetValue(ordinal);
        if (bytes.Length != _dimension * sizeof(float))
            throw new InvalidDataException($"Sighting row has a {bytes.Length}-byte embedding, expected {_dimension * sizeof(float)}.");
        return VectorMath.FromBytes(bytes);
    }

    private StoredSighting Read(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        new Sighting(
            Id: r.GetString(2),
            Embedding: EmbeddingOf(r, 11),
            CameraId: r.GetString(3),
            Start: new DateTimeOffset(r.GetInt64(4), TimeSpan.Zero),
            End: r.IsDBNull(5) ? null : new DateTimeOffset(r.GetInt64(5), TimeSpan.Zero),
            TrackId: r.GetString(6),
            IdentityId: r.IsDBNull(7) ? null : r.GetString(7),
            IdentityName: r.IsDBNull(8) ? null : r.GetString(8),
            IdentitySimilarity: (float)r.GetDouble(9),
            ThumbnailKey: r.IsDBNull(10) ? null : r.GetString(10),
            KeyframeKey: r.IsDBNull(12) ? null : r.GetString(12),
            KeyframeBox: r.IsDBNull(13) ? null : BoxOf((byte[])r.GetValue(13))));

    private static PixelBox? BoxOf(byte[] bytes)
    {
        if (bytes.Length != 4 * sizeof(float)) return null; // not written by this code: no box rather than a wrong one
        var v = VectorMath.FromBytes(bytes);
        return new PixelBox(v[0], v[1], v[2], v[3]);
    }

    /// <summary>
    /// Schema migration for databases created by earlier versions: columns added since are appended when missing
    /// (rows written before have them NULL).
    /// </summary>
    private void AddMissingColumns()
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var cmd = _writer.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM pragma_table_info('sightings')";
            using var r = cmd.ExecuteReader();
            while (r.Read()) present.Add(r.GetString(0));
        }
        foreach (var (column, type) in new[] { ("keyframe", "TEXT"), ("keyframe_box", "BLOB") })
            if (!present.Contains(column)) Execute(_writer, $"ALTER TABLE sightings ADD COLUMN {column} {type} NULL");
    }

    private static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
