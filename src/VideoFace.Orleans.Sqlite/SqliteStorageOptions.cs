using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace VideoFace.Orleans.Sqlite;

/// <summary>Options for <see cref="SqliteGrainStorage"/>, one instance per named storage provider.</summary>
public sealed class SqliteStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>Configuration section the silo host binds these options from; validation messages name keys under it.</summary>
    public const string SectionName = "Sqlite";

    /// <summary>Path of the SQLite database file; created (with its folder) on first start.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>How long an operation waits for another writer's lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Silo lifecycle stage at which the database is opened and its schema created.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>Serializer for state payloads; defaults to the silo's configured <see cref="IGrainStorageSerializer"/>.</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}

/// <summary>Fails start-up with a message naming the configuration key when grain storage options are unusable.</summary>
public sealed class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SqliteStorageOptions options)
    {
        var failures = SqliteOptionChecks.Check(SqliteStorageOptions.SectionName, options.DatabasePath, options.BusyTimeout)
            .Select(f => $"{f} (grain storage '{name}')")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class SqliteOptionChecks
{
    public static IEnumerable<string> Check(string section, string? databasePath, TimeSpan busyTimeout)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
        {
            yield return $"{section}:DatabasePath must be set to the SQLite database file path";
        }
        else if (databasePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || databasePath.EndsWith('/'))
        {
            yield return $"{section}:DatabasePath '{databasePath}' is not a valid file path";
        }

        if (busyTimeout <= TimeSpan.Zero || busyTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{section}:BusyTimeout must be between 0 and 10 minutes (was {busyTimeout})";
        }
    }
}
