using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace VideoFace.Orleans.Sqlite;

public sealed partial class SqliteReminderTable
{
    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite reminder table opened {Path} for service {ServiceId}")]
    private static partial void LogOpened(ILogger logger, string path, string serviceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQLite reminder table: no reminder {GrainId}/{ReminderName} with ETag {ETag} to remove")]
    private static partial void LogRemoveMissed(ILogger logger, GrainId grainId, string reminderName, string? eTag);
}
