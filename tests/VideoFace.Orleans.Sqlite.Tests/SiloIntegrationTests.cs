using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace VideoFace.Orleans.Sqlite.Tests;

/// <summary>Real silos over one SQLite file: what one cluster wrote, a new cluster on the same file sees.</summary>
public sealed class SiloIntegrationTests : IDisposable
{
    // Both clusters must be the same Orleans service: rows are scoped by ServiceId.
    private const string ServiceId = "videoface-sqlite-tests";
    private readonly TempDirectory _dir = new();
    private readonly string _db;

    public SiloIntegrationTests() => _db = _dir.File("silo/videoface.db");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PersistentState_WrittenByOneCluster_IsReadByANewClusterOnTheSameFile()
    {
        await using (var first = await StartClusterAsync(_db))
        {
            var grain = first.Client.GetGrain<INotebookGrain>("cam-7");
            await grain.AddNoteAsync("seen at 10:00");
            var written = await grain.AddNoteAsync("seen at 10:05");
            Assert.Equal(2, written.Count);
            await first.StopAllSilosAsync();
        }

        await using var second = await StartClusterAsync(_db);
        var reread = await second.Client.GetGrain<INotebookGrain>("cam-7").GetAsync();

        Assert.Equal(2, reread.Count);
        Assert.Equal(["seen at 10:00", "seen at 10:05"], reread.Notes);
        var again = await second.Client.GetGrain<INotebookGrain>("cam-7").AddNoteAsync("seen at 11:00");
        Assert.Equal(3, again.Count);
        // The payload is what the silo's default IGrainStorageSerializer wrote: JSON, readable in the file.
        using var json = JsonDocument.Parse(ReadPayload(_db, "s"));
        Assert.Contains("seen at 11:00", json.RootElement.GetRawText());
    }

    [Fact]
    public async Task Reminder_RegisteredOnOneCluster_FiresOnANewClusterOnTheSameFile()
    {
        await using (var first = await StartClusterAsync(_db))
        {
            await first.Client.GetGrain<ITickingGrain>("watchdog").StartTickingAsync(TimeSpan.FromSeconds(1));
            await first.StopAllSilosAsync();
        }

        await using var second = await StartClusterAsync(_db);
        var silo = second.GetActiveSilos().Single();
        var services = second.GetSiloServiceProvider(silo.SiloAddress);
        Assert.IsType<SqliteReminderTable>(services.GetRequiredService<IReminderTable>());

        // Nothing on the new cluster calls the grain: only the reminder service, reading the
        // table, can activate it.
        var tick = services.GetRequiredService<ReminderTicks>().FirstTick("watchdog", TickingGrain.ReminderName);
        await tick.WaitAsync(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public async Task Silo_WithoutDatabasePath_FailsToStartNamingTheKey()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        builder.ConfigureSilo((_, silo) => silo.AddSqliteGrainStorage("sqlite", (SqliteStorageOptions _) => { }));
        await using var cluster = builder.Build();

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync());

        Assert.Contains("Sqlite:DatabasePath", Flatten(ex));
    }

    [Fact]
    public void Options_EmptyPath_ValidationNamesTheKey()
    {
        var services = new ServiceCollection();
        // The silo's default storage serializer, which the options take when none is set.
        services.AddSingleton<IGrainStorageSerializer>(new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())));
        services.AddSqliteGrainStorage("sqlite", o => o.Configure(s => s.BusyTimeout = TimeSpan.Zero));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get("sqlite"));

        Assert.Contains("Sqlite:DatabasePath", ex.Message);
        Assert.Contains("Sqlite:BusyTimeout", ex.Message);
    }

    [Fact]
    public void Options_BoundFromTheSqliteSection_CarryPathAndTimeout()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sqlite:DatabasePath"] = "/var/lib/videoface/state.db",
                ["Sqlite:BusyTimeout"] = "00:00:30",
            })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IGrainStorageSerializer>(new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())));
        services.AddSqliteGrainStorage("sqlite", o => o.BindConfiguration(SqliteStorageOptions.SectionName));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get("sqlite");

        Assert.Equal("/var/lib/videoface/state.db", options.DatabasePath);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BusyTimeout);
        Assert.NotNull(options.GrainStorageSerializer);
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string databasePath)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage("sqlite", options => options.DatabasePath = databasePath);
            silo.UseSqliteReminderService(options => options.DatabasePath = databasePath);
            // One-second reminders keep the test short; production keeps Orleans' one-minute floor.
            silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddSingleton<ReminderTicks>();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static byte[] ReadPayload(string databasePath, string stateName)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM orleans_grain_state WHERE service_id = $service AND state_name = $state;";
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$state", stateName);
        return (byte[])command.ExecuteScalar()!;
    }

    private static string Flatten(Exception ex)
    {
        var messages = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", messages);
    }
}
