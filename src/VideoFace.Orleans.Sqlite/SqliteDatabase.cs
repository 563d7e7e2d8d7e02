using Microsoft.Data.Sqlite;

namespace VideoFace.Orleans.Sqlite;

/// <summary>
/// One SQLite file: opens a pooled connection per operation (Microsoft.Data.Sqlite pools them, so this
/// is cheap) and makes sure the file, WAL mode and a schema exist once.
/// </summary>
/// <remarks>
/// A connection per operation keeps thread safety simple: SqliteConnection is not thread-safe, while
/// separate connections are, and SQLite itself serializes writers through its file lock (callers use
/// BEGIN IMMEDIATE, so a writer waits up to the busy timeout instead of failing on a lock upgrade).
/// synchronous=FULL: with WAL, NORMAL can lose the last commits on power loss or an OS crash; grain
/// state here is the store of record (cameras, gallery, identity history) and is written at human
/// rates, so one fsync per commit is cheap and an acknowledged write is never lost.
/// </remarks>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly string _schemaSql;
    private readonly Lock _gate = new();
    private Task? _initialization;

    public SqliteDatabase(string databasePath, TimeSpan busyTimeout, string schemaSql)
    {
        FilePath = Path.GetFullPath(databasePath);
        _busyTimeoutMs = (int)Math.Ceiling(busyTimeout.TotalMilliseconds);
        _schemaSql = schemaSql;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY itself until the command timeout; keep it at
            // least as long as the busy timeout so the two agree.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    /// <summary>Absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Creates the file, switches it to WAL and creates the schema; runs once, later calls are free.</summary>
    public Task EnsureInitializedAsync()
    {
        var current = Volatile.Read(ref _initialization);
        if (current is { IsCompletedSuccessfully: true })
        {
            return current;
        }

        lock (_gate)
        {
            // A failed start (folder not creatable yet, file locked) is retried by the next caller
            // instead of being cached for the life of the silo.
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = Task.Run(Initialize);
            }

            return _initialization;
        }
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Per-connection settings: a pooled connection keeps them, but setting them again is cheap
            // and makes each operation independent of where its connection came from.
            Execute(connection, $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Closes idle pooled connections to this file, e.g. when the silo stops.</summary>
    public void ReleasePooledConnections()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void Initialize()
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var connection = Open();
        using (var command = connection.CreateCommand())
        {
            // journal_mode is persistent in the file; it answers the mode actually in effect.
            command.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite database '{FilePath}' could not be switched to WAL mode (journal_mode is '{mode}').");
            }
        }

        Execute(connection, _schemaSql);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
