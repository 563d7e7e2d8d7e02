using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace VideoFace.Orleans.Sqlite;

/// <summary>Orleans reminder table in a SQLite file, scoped by service id, with a fresh ETag per upsert.</summary>
/// <remarks>
/// Rows carry the grain's uniform hash (the value Orleans places on its consistent ring), so a silo
/// reads just its ring range. ETags are random rather than counters because a removed reminder's row
/// is deleted: a counter would restart and let a stale ETag match a re-created reminder.
/// </remarks>
public sealed partial class SqliteReminderTable : IReminderTable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            service_id     TEXT    NOT NULL,
            grain_id       TEXT    NOT NULL,
            reminder_name  TEXT    NOT NULL,
            grain_hash     INTEGER NOT NULL,
            start_at_ticks INTEGER NOT NULL,
            period_ticks   INTEGER NOT NULL,
            etag           TEXT    NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);
        """;

    private const string SelectColumns = "SELECT grain_id, reminder_name, start_at_ticks, period_ticks, etag FROM orleans_reminders";

    private readonly string _serviceId;
    private readonly ILogger _logger;
    private readonly SqliteDatabase _database;

    /// <summary>Creates the table over the configured file; the schema is created on start.</summary>
    public SqliteReminderTable(
        IOptions<SqliteReminderOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<SqliteReminderTable> logger)
    {
        _serviceId = clusterOptions.Value.ServiceId;
        _logger = logger;
        _database = new SqliteDatabase(options.Value.DatabasePath, options.Value.BusyTimeout, Schema);
    }

    /// <inheritdoc />
    public async Task Init()
    {
        await _database.EnsureInitializedAsync();
        LogOpened(_logger, _database.FilePath, _serviceId);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Init();

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _database.ReleasePooledConnections();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"{SelectColumns} WHERE service_id = $service AND grain_id = $grain;";
            command.Parameters.AddWithValue("$service", _serviceId);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            return new ReminderTableData(ReadEntries(command));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            // The ring range is (begin, end]; when begin >= end it wraps past uint.MaxValue (and
            // begin == end is the whole ring, as Orleans uses it for a single silo).
            var range = begin < end
                ? "grain_hash > $begin AND grain_hash <= $end"
                : "(grain_hash > $begin OR grain_hash <= $end)";
            command.CommandText = $"{SelectColumns} WHERE service_id = $service AND {range};";
            command.Parameters.AddWithValue("$service", _serviceId);
            command.Parameters.AddWithValue("$begin", (long)begin);
            command.Parameters.AddWithValue("$end", (long)end);
            return new ReminderTableData(ReadEntries(command));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    /// <inheritdoc />
    /// <remarks>Answers null when the reminder does not exist, as Orleans' own tables do.</remarks>
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"{SelectColumns} WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name;";
            command.Parameters.AddWithValue("$service", _serviceId);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$name", reminderName);
            return ReadEntries(command).SingleOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.ReminderName);
        var etag = Guid.NewGuid().ToString("N");
        return RunAsync<string?>(connection =>
        {
            using var command = connection.CreateCommand();
            // Upsert is unconditional, as in Orleans' own tables: the reminder service owns the row and
            // uses the returned ETag for later removal.
            command.CommandText = """
                INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, start_at_ticks, period_ticks, etag)
                VALUES ($service, $grain, $name, $hash, $start, $period, $etag)
                ON CONFLICT (service_id, grain_id, reminder_name)
                DO UPDATE SET grain_hash = excluded.grain_hash, start_at_ticks = excluded.start_at_ticks,
                              period_ticks = excluded.period_ticks, etag = excluded.etag;
                """;
            command.Parameters.AddWithValue("$service", _serviceId);
            command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
            command.Parameters.AddWithValue("$name", entry.ReminderName);
            command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
            command.Parameters.AddWithValue("$start", ToUtc(entry.StartAt).Ticks);
            command.Parameters.AddWithValue("$period", entry.Period.Ticks);
            command.Parameters.AddWithValue("$etag", etag);
            command.ExecuteNonQuery();
            return etag;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM orleans_reminders
                WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND etag = $etag;
                """;
            command.Parameters.AddWithValue("$service", _serviceId);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$name", reminderName);
            command.Parameters.AddWithValue("$etag", (object?)eTag ?? DBNull.Value);
            var removed = command.ExecuteNonQuery() == 1;
            if (!removed)
            {
                LogRemoveMissed(_logger, grainId, reminderName, eTag);
            }

            return removed;
        }, cancellationToken);

    /// <inheritdoc />
    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    /// <inheritdoc />
    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM orleans_reminders WHERE service_id = $service;";
            command.Parameters.AddWithValue("$service", _serviceId);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    private async Task<T> RunAsync<T>(Func<SqliteConnection, T> operation, CancellationToken cancellationToken)
    {
        await _database.EnsureInitializedAsync();
        // SQLite calls block (file I/O, fsync, lock waits); keep them off the caller's scheduler.
        return await Task.Run(() =>
        {
            using var connection = _database.Open();
            return operation(connection);
        }, cancellationToken);
    }

    private static List<ReminderEntry> ReadEntries(SqliteCommand command)
    {
        var entries = new List<ReminderEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetString(4),
            });
        }

        return entries;
    }

    // The reminder service passes UTC times; an unspecified kind is taken as UTC rather than shifted.
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };
}
