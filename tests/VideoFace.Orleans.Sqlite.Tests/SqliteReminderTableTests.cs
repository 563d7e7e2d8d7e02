namespace VideoFace.Orleans.Sqlite.Tests;

public sealed class SqliteReminderTableTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _db;
    private readonly SqliteReminderTable _table;

    public SqliteReminderTableTests()
    {
        _db = _dir.File("reminders.db");
        _table = Providers.Reminders(_db);
    }

    public Task InitializeAsync() => _table.Init();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task UpsertRow_ThenReadRow_RoundTripsWithReturnedETag()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var start = new DateTime(2026, 3, 1, 12, 30, 15, 123, DateTimeKind.Utc);

        var etag = await _table.UpsertRow(Entry(grain, "keepalive", start, TimeSpan.FromMinutes(2)));
        var row = await _table.ReadRow(grain, "keepalive");

        Assert.False(string.IsNullOrEmpty(etag));
        Assert.NotNull(row);
        Assert.Equal(grain, row.GrainId);
        Assert.Equal("keepalive", row.ReminderName);
        Assert.Equal(start, row.StartAt);
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        Assert.Equal(etag, row.ETag);
    }

    [Fact]
    public async Task ReadRow_Missing_ReturnsNull()
    {
        Assert.Null(await _table.ReadRow(GrainId.Create("camera", "nope"), "keepalive"));
    }

    [Fact]
    public async Task UpsertRow_Existing_ReplacesValuesAndETag()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var first = await _table.UpsertRow(Entry(grain, "r", DateTime.UtcNow, TimeSpan.FromMinutes(1)));

        var second = await _table.UpsertRow(Entry(grain, "r", DateTime.UtcNow, TimeSpan.FromMinutes(5)));

        Assert.NotEqual(first, second);
        var rows = await _table.ReadRows(grain);
        var row = Assert.Single(rows.Reminders);
        Assert.Equal(TimeSpan.FromMinutes(5), row.Period);
        Assert.Equal(second, row.ETag);
    }

    [Fact]
    public async Task ReadRows_ByGrain_ReturnsOnlyThatGrainsReminders()
    {
        var a = GrainId.Create("camera", "a");
        var b = GrainId.Create("camera", "b");
        var sameKeyOtherType = GrainId.Create("identity", "a");
        await _table.UpsertRow(Entry(a, "r1"));
        await _table.UpsertRow(Entry(a, "r2"));
        await _table.UpsertRow(Entry(b, "r1"));
        await _table.UpsertRow(Entry(sameKeyOtherType, "r1"));

        var rows = await _table.ReadRows(a);

        Assert.Equal(["r1", "r2"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(a, r.GrainId));
    }

    [Fact]
    public async Task ReadRows_Range_ExcludesBeginIncludesEnd()
    {
        var hashes = await UpsertManyAndSortHashes(40);

        var rows = await _table.ReadRows(hashes[3], hashes[9]);

        Assert.Equal(hashes[4..10], Hashes(rows));
    }

    [Fact]
    public async Task ReadRows_RangeThatWraps_ReturnsBothEndsOfTheRing()
    {
        var hashes = await UpsertManyAndSortHashes(40);
        var n = hashes.Length;

        // begin > end: (begin, uint.MaxValue] ∪ [0, end].
        var rows = await _table.ReadRows(hashes[n - 4], hashes[2]);

        Assert.Equal(new[] { hashes[n - 3], hashes[n - 2], hashes[n - 1], hashes[0], hashes[1], hashes[2] }.Order(), Hashes(rows));
    }

    [Fact]
    public async Task ReadRows_BeginEqualsEnd_IsTheWholeRing()
    {
        var hashes = await UpsertManyAndSortHashes(25);

        var rows = await _table.ReadRows(hashes[7], hashes[7]);

        Assert.Equal(hashes, Hashes(rows));
    }

    [Fact]
    public async Task ReadRows_FullUintRange_IncludesHashesNearBothLimits()
    {
        var hashes = await UpsertManyAndSortHashes(40);

        var all = await _table.ReadRows(0u, uint.MaxValue);
        var wrapFromMax = await _table.ReadRows(uint.MaxValue, hashes[0]);

        // (0, MaxValue] holds every hash unless one is exactly 0, which none of these is.
        Assert.DoesNotContain(0u, hashes);
        Assert.Equal(hashes, Hashes(all));
        // (MaxValue, hashes[0]] wraps to [0, hashes[0]]: just the smallest.
        Assert.Equal([hashes[0]], Hashes(wrapFromMax));
    }

    [Fact]
    public async Task RemoveRow_WithCurrentETag_RemovesAndReturnsTrue()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var etag = await _table.UpsertRow(Entry(grain, "r"));

        Assert.True(await _table.RemoveRow(grain, "r", etag!));

        Assert.Null(await _table.ReadRow(grain, "r"));
        Assert.False(await _table.RemoveRow(grain, "r", etag!));
    }

    [Fact]
    public async Task RemoveRow_WithStaleETag_ReturnsFalseAndKeepsRow()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var stale = await _table.UpsertRow(Entry(grain, "r"));
        var current = await _table.UpsertRow(Entry(grain, "r"));

        Assert.False(await _table.RemoveRow(grain, "r", stale!));
        Assert.False(await _table.RemoveRow(grain, "other", current!));

        Assert.Equal(current, (await _table.ReadRow(grain, "r"))?.ETag);
    }

    [Fact]
    public async Task RemoveRow_ETagFromBeforeRemoveAndRecreate_ReturnsFalse()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var old = await _table.UpsertRow(Entry(grain, "r"));
        Assert.True(await _table.RemoveRow(grain, "r", old!));
        await _table.UpsertRow(Entry(grain, "r"));

        Assert.False(await _table.RemoveRow(grain, "r", old!));
        Assert.NotNull(await _table.ReadRow(grain, "r"));
    }

    [Fact]
    public async Task TestOnlyClearTable_ClearsOnlyThisService()
    {
        var other = Providers.Reminders(_db, serviceId: "other-service");
        var grain = GrainId.Create("camera", "cam-1");
        await _table.UpsertRow(Entry(grain, "r"));
        await other.UpsertRow(Entry(grain, "r"));

        await _table.TestOnlyClearTable();

        Assert.Empty((await _table.ReadRows(0u, 0u)).Reminders);
        Assert.Single((await other.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task UpsertRow_ThenNewTableInstance_ReadsIt()
    {
        var grain = GrainId.Create("camera", "cam-1");
        var etag = await _table.UpsertRow(Entry(grain, "r"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var reopened = Providers.Reminders(_db);
        await reopened.Init();

        Assert.Equal(etag, (await reopened.ReadRow(grain, "r"))?.ETag);
    }

    private async Task<uint[]> UpsertManyAndSortHashes(int count)
    {
        var grains = Enumerable.Range(0, count).Select(i => GrainId.Create("camera", $"cam-{i}")).ToList();
        foreach (var grain in grains)
        {
            await _table.UpsertRow(Entry(grain, "r"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToArray();
        Assert.Equal(count, hashes.Distinct().Count());
        return hashes;
    }

    private static uint[] Hashes(ReminderTableData rows) =>
        rows.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order().ToArray();

    private static ReminderEntry Entry(GrainId grain, string name, DateTime? start = null, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = start ?? DateTime.UtcNow,
        Period = period ?? TimeSpan.FromMinutes(1),
    };
}
