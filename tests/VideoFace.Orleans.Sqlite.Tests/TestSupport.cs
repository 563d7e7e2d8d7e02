using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace VideoFace.Orleans.Sqlite.Tests;

/// <summary>A fresh folder under the temp directory, deleted with its SQLite files afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "videoface-sqlite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // Pooled connections may still hold the files open; Linux deletes them anyway.
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }
}

/// <summary>Builds providers directly, as the silo would, without a silo.</summary>
internal static class Providers
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static IActivatorProvider Activators => Services.GetRequiredService<IActivatorProvider>();

    public static SqliteGrainStorage Storage(string databasePath, string serviceId = "svc", string name = "sqlite") =>
        new(
            name,
            new SqliteStorageOptions
            {
                DatabasePath = databasePath,
                // JSON through System.Text.Json, as a silo configured with UseSystemTextJsonGrainStorageSerializer would.
                GrainStorageSerializer = new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())),
            },
            Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = serviceId }),
            Activators,
            NullLogger<SqliteGrainStorage>.Instance);

    public static SqliteReminderTable Reminders(string databasePath, string serviceId = "svc") =>
        new(
            Options.Create(new SqliteReminderOptions { DatabasePath = databasePath }),
            Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = serviceId }),
            NullLogger<SqliteReminderTable>.Instance);
}
