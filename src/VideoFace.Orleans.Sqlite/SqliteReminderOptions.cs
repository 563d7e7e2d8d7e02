using Microsoft.Extensions.Options;

namespace VideoFace.Orleans.Sqlite;

/// <summary>Options for <see cref="SqliteReminderTable"/>.</summary>
public sealed class SqliteReminderOptions
{
    /// <summary>Configuration section the silo host binds these options from; validation messages name keys under it.</summary>
    public const string SectionName = "Sqlite";

    /// <summary>Path of the SQLite database file; may be the grain storage file (separate tables).</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>How long an operation waits for another writer's lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Fails start-up with a message naming the configuration key when reminder options are unusable.</summary>
public sealed class SqliteReminderOptionsValidator : IValidateOptions<SqliteReminderOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SqliteReminderOptions options)
    {
        var failures = SqliteOptionChecks.Check(SqliteReminderOptions.SectionName, options.DatabasePath, options.BusyTimeout)
            .Select(f => $"{f} (reminder table)")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
