using Microsoft.Extensions.Logging;

namespace VideoFace.Orleans.Sqlite;

public sealed partial class SqliteGrainStorage
{
    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite grain storage '{Name}' opened {Path}")]
    private static partial void LogOpened(ILogger logger, string name, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage '{Name}': ETag mismatch on {Operation} of {GrainType}/{GrainKey} state '{StateName}' (stored {StoredETag}, given {GivenETag})")]
    private static partial void LogETagMismatch(ILogger logger, string name, string operation, string grainType, string grainKey, string stateName, string? storedETag, string? givenETag);

    [LoggerMessage(Level = LogLevel.Error, Message = "SQLite grain storage '{Name}': cannot deserialize {GrainType}/{GrainKey} state '{StateName}'")]
    private static partial void LogDeserializeFailed(ILogger logger, Exception exception, string name, string grainType, string grainKey, string stateName);
}
