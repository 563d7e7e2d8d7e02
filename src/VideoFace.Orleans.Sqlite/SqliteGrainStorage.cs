using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace VideoFace.Orleans.Sqlite;

/// <summary>Orleans grain storage in one SQLite file, with ETag (row version) optimistic concurrency.</summary>
/// <remarks>
/// One row per (service id, grain type, grain key, state name). The ETag is the row's version number.
/// Clearing keeps the row as a tombstone (payload NULL, version incremented) instead of deleting it,
/// so versions never restart and a stale ETag from before a clear can never match a later write.
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            service_id   TEXT    NOT NULL,
            grain_type   TEXT    NOT NULL,
            grain_key    TEXT    NOT NULL,
            state_name   TEXT    NOT NULL,
            version      INTEGER NOT NULL,
            payload      BLOB    NULL,
            modified_utc TEXT    NOT NULL,
            PRIMARY KEY (service_id, grain_type, grain_key, state_name)
        );
        """;

    private readonly string _name;
    private readonly string _serviceId;
    private readonly SqliteStorageOptions _options;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;
    private readonly SqliteDatabase _database;

    /// <summary>Creates the provider; <paramref name="options"/> must already be validated.</summary>
    public SqliteGrainStorage(
        string name,
        SqliteStorageOptions options,
        IOptions<ClusterOptions> clusterOptions,
        IActivatorProvider activators,
        ILogger<SqliteGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options.GrainStorageSerializer);
        _name = name;
        _options = options;
        _serviceId = clusterOptions.Value.ServiceId;
        _activators = activators;
        _logger = logger;
        _database = new SqliteDatabase(options.DatabasePath, options.BusyTimeout, Schema);
    }

    internal static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
        return ActivatorUtilities.CreateInstance<SqliteGrainStorage>(services, name, options);
    }

    /// <summary>Opens the database and creates the schema; the silo does this at start, so a bad path fails fast.</summary>
    public async Task InitializeAsync()
    {
        await _database.EnsureInitializedAsync();
        LogOpened(_logger, _name, _database.FilePath);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            $"{nameof(SqliteGrainStorage)}-{_name}",
            _options.InitStage,
            _ => InitializeAsync(),
            _ =>
            {
                _database.ReleasePooledConnections();
                return Task.CompletedTask;
            });

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        await _database.EnsureInitializedAsync();
        var key = new StateKey(_serviceId, grainId, stateName);
        // SQLite calls block (file I/O, fsync, lock waits); keep them off the grain's scheduler.
        var row = await Task.Run(() => ReadRow(key), cancellationToken);

        if (row is null)
        {
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = row.Payload is null ? CreateInstance<T>() : Deserialize<T>(row.Payload, key);
        grainState.ETag = FormatETag(row.Version);
        grainState.RecordExists = row.Payload is not null;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        await _database.EnsureInitializedAsync();
        var key = new StateKey(_serviceId, grainId, stateName);
        var payload = _options.GrainStorageSerializer.Serialize(grainState.State).ToArray();
        var expected = grainState.ETag;
        var version = await Task.Run(() => WriteRow(key, expected, payload), cancellationToken);
        grainState.ETag = FormatETag(version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        await _database.EnsureInitializedAsync();
        var key = new StateKey(_serviceId, grainId, stateName);
        var expected = grainState.ETag;
        var version = await Task.Run(() => ClearRow(key, expected), cancellationToken);
        grainState.ETag = version is null ? null : FormatETag(version.Value);
        grainState.RecordExists = false;
        grainState.State = CreateInstance<T>();
    }

    private StoredRow? ReadRow(StateKey key)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT version, payload FROM orleans_grain_state
            WHERE service_id = $service AND grain_type = $type AND grain_key = $key AND state_name = $state;
            """;
        key.Bind(command);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var payload = reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1);
        return new StoredRow(reader.GetInt64(0), payload);
    }

    private long WriteRow(StateKey key, string? expectedETag, byte[] payload)
    {
        using var connection = _database.Open();
        // BeginTransaction() is BEGIN IMMEDIATE: take the write lock before reading the version, so the
        // check and the write are one atomic step and no lock upgrade can fail half-way.
        using var transaction = connection.BeginTransaction();
        var stored = ReadVersion(connection, transaction, key);
        EnsureETagMatches(key, stored, expectedETag, "write");

        var version = (stored ?? 0) + 1;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO orleans_grain_state (service_id, grain_type, grain_key, state_name, version, payload, modified_utc)
                VALUES ($service, $type, $key, $state, $version, $payload, $modified)
                ON CONFLICT (service_id, grain_type, grain_key, state_name)
                DO UPDATE SET version = excluded.version, payload = excluded.payload, modified_utc = excluded.modified_utc;
                """;
            key.Bind(command);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.Add("$payload", SqliteType.Blob).Value = payload;
            command.Parameters.AddWithValue("$modified", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return version;
    }

    private long? ClearRow(StateKey key, string? expectedETag)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        var stored = ReadVersion(connection, transaction, key);
        EnsureETagMatches(key, stored, expectedETag, "clear");
        if (stored is null)
        {
            // Nothing was ever written: clearing is a no-op and the state stays without an ETag.
            return null;
        }

        var version = stored.Value + 1;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE orleans_grain_state SET version = $version, payload = NULL, modified_utc = $modified
                WHERE service_id = $service AND grain_type = $type AND grain_key = $key AND state_name = $state;
                """;
            key.Bind(command);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$modified", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return version;
    }

    private static long? ReadVersion(SqliteConnection connection, SqliteTransaction transaction, StateKey key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT version FROM orleans_grain_state
            WHERE service_id = $service AND grain_type = $type AND grain_key = $key AND state_name = $state;
            """;
        key.Bind(command);
        return command.ExecuteScalar() is long version ? version : null;
    }

    private void EnsureETagMatches(StateKey key, long? storedVersion, string? expectedETag, string operation)
    {
        var storedETag = storedVersion is null ? null : FormatETag(storedVersion.Value);
        if (string.Equals(storedETag, expectedETag, StringComparison.Ordinal))
        {
            return;
        }

        LogETagMismatch(_logger, _name, operation, key.GrainType, key.GrainKey, key.StateName, storedETag, expectedETag);
        throw new InconsistentStateException(
            $"ETag mismatch on {operation} of state '{key.StateName}' for grain {key.GrainType}/{key.GrainKey} in SQLite storage '{_name}': stored '{storedETag ?? "(none)"}', given '{expectedETag ?? "(none)"}'.",
            storedETag,
            expectedETag);
    }

    private T Deserialize<T>(byte[] payload, StateKey key)
    {
        try
        {
            // A state serialized as null reads back as null, as it was written.
            return _options.GrainStorageSerializer.Deserialize<T>(new BinaryData(payload))!;
        }
        catch (Exception ex)
        {
            LogDeserializeFailed(_logger, ex, _name, key.GrainType, key.GrainKey, key.StateName);
            throw;
        }
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    private static string FormatETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private sealed record StoredRow(long Version, byte[]? Payload);

    private readonly record struct StateKey(string ServiceId, string GrainType, string GrainKey, string StateName)
    {
        public StateKey(string serviceId, GrainId grainId, string stateName)
            : this(serviceId, grainId.Type.ToString()!, grainId.Key.ToString()!, stateName)
        {
        }

        public void Bind(SqliteCommand command)
        {
            command.Parameters.AddWithValue("$service", ServiceId);
            command.Parameters.AddWithValue("$type", GrainType);
            command.Parameters.AddWithValue("$key", GrainKey);
            command.Parameters.AddWithValue("$state", StateName);
        }
    }
}
