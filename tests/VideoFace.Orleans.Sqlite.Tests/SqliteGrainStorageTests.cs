using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace VideoFace.Orleans.Sqlite.Tests;

public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "s";
    private readonly TempDirectory _dir = new();
    private readonly string _db;
    private readonly SqliteGrainStorage _storage;
    private readonly GrainId _grain = GrainId.Create("camera", "cam-1");

    public SqliteGrainStorageTests()
    {
        _db = _dir.File("state/grains.db");
        _storage = Providers.Storage(_db);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Read_NothingWritten_NoRecordNoETagDefaultState()
    {
        var state = new GrainState<TestState>(new TestState { Name = "local edit" });

        await _storage.ReadStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(new TestState().Name, Value(state).Name);
        Assert.True(File.Exists(_db), "the database file (and its folder) is created on first use");
    }

    [Fact]
    public async Task Write_FirstWithNullETag_ReadsBackInFreshStateWithSameETag()
    {
        var written = new GrainState<TestState>(new TestState { Name = "front door", Count = 3, Notes = ["a", "b"] });
        Assert.Null(written.ETag);

        await _storage.WriteStateAsync(StateName, _grain, written);
        var read = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("front door", Value(read).Name);
        Assert.Equal(3, Value(read).Count);
        Assert.Equal(["a", "b"], Value(read).Notes);
    }

    [Fact]
    public async Task Write_EachWrite_ChangesETag()
    {
        var state = new GrainState<TestState>(new TestState { Count = 1 });
        await _storage.WriteStateAsync(StateName, _grain, state);
        var first = state.ETag;

        state.State = Value(state) with { Count = 2 };
        await _storage.WriteStateAsync(StateName, _grain, state);

        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task Write_FirstWriteWithAnETag_ThrowsInconsistentState()
    {
        var state = new GrainState<TestState>(new TestState(), "42");

        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, _grain, state));

        Assert.Null(ex.StoredEtag);
        Assert.Equal("42", ex.CurrentEtag);
        var read = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Write_StaleETag_ThrowsAndKeepsTheWinnersState()
    {
        await _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState { Name = "v1" }));
        var a = new GrainState<TestState>(new TestState());
        var b = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, a);
        await _storage.ReadStateAsync(StateName, _grain, b);

        a.State = Value(a) with { Name = "from a" };
        await _storage.WriteStateAsync(StateName, _grain, a);
        b.State = Value(b) with { Name = "from b" };
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, _grain, b));

        Assert.Equal(a.ETag, ex.StoredEtag);
        Assert.NotEqual(a.ETag, b.ETag);
        var read = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, read);
        Assert.Equal("from a", Value(read).Name);
    }

    [Fact]
    public async Task Write_NullETagWhenRecordExists_ThrowsInconsistentState()
    {
        await _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState { Name = "v1" }));

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState { Name = "blind overwrite" })));
    }

    [Fact]
    public async Task Clear_WithCurrentETag_ResetsRecordExistsAndStateAndAllowsNextWrite()
    {
        var state = new GrainState<TestState>(new TestState { Name = "to clear", Count = 7 });
        await _storage.WriteStateAsync(StateName, _grain, state);

        await _storage.ClearStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.Equal(0, Value(state).Count);
        var read = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal("", Value(read).Name);
        Assert.Equal(state.ETag, read.ETag);

        state.State = new TestState { Name = "after clear" };
        await _storage.WriteStateAsync(StateName, _grain, state);
        await _storage.ReadStateAsync(StateName, _grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("after clear", Value(read).Name);
    }

    [Fact]
    public async Task Clear_StaleETag_ThrowsAndKeepsState()
    {
        var a = new GrainState<TestState>(new TestState { Name = "v1" });
        await _storage.WriteStateAsync(StateName, _grain, a);
        var stale = new GrainState<TestState>(a.State, a.ETag);
        a.State = Value(a) with { Name = "v2" };
        await _storage.WriteStateAsync(StateName, _grain, a);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, _grain, stale));

        var read = new GrainState<TestState>(new TestState());
        await _storage.ReadStateAsync(StateName, _grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("v2", Value(read).Name);
    }

    [Fact]
    public async Task Clear_ThenWriteWithETagFromBeforeClear_Throws()
    {
        var state = new GrainState<TestState>(new TestState { Name = "v1" });
        await _storage.WriteStateAsync(StateName, _grain, state);
        var beforeClear = new GrainState<TestState>(state.State, state.ETag);
        await _storage.ClearStateAsync(StateName, _grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, _grain, beforeClear));
    }

    [Fact]
    public async Task Clear_NeverWritten_IsANoOpWithoutETag()
    {
        var state = new GrainState<TestState>(new TestState { Name = "unsaved" });

        await _storage.ClearStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        await _storage.WriteStateAsync(StateName, _grain, state);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task Write_TwoGrainTypesSameKeyAndTwoStateNames_AreIndependentRows()
    {
        var camera = GrainId.Create("camera", "k");
        var identity = GrainId.Create("identity", "k");
        await _storage.WriteStateAsync(StateName, camera, new GrainState<TestState>(new TestState { Name = "camera k" }));
        await _storage.WriteStateAsync(StateName, identity, new GrainState<TestState>(new TestState { Name = "identity k" }));
        await _storage.WriteStateAsync("other", camera, new GrainState<TestState>(new TestState { Name = "camera k, other" }));

        Assert.Equal("camera k", Value(await Read(_storage, StateName, camera)).Name);
        Assert.Equal("identity k", Value(await Read(_storage, StateName, identity)).Name);
        Assert.Equal("camera k, other", Value(await Read(_storage, "other", camera)).Name);
        Assert.False((await Read(_storage, StateName, GrainId.Create("gallery", "k"))).RecordExists);
    }

    [Fact]
    public async Task Write_OtherServiceIdOnSameFile_DoesNotSeeIt()
    {
        await _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState { Name = "svc" }));
        var other = Providers.Storage(_db, serviceId: "other-service");

        Assert.False((await Read(other, StateName, _grain)).RecordExists);
    }

    [Fact]
    public async Task Write_LargeState_RoundTrips()
    {
        var notes = Enumerable.Range(0, 20_000).Select(i => $"sighting {i:D6} " + new string((char)('a' + i % 26), 200)).ToList();
        var state = new GrainState<TestState>(new TestState { Name = "large", Notes = notes });

        await _storage.WriteStateAsync(StateName, _grain, state);
        var read = await Read(Providers.Storage(_db), StateName, _grain);

        Assert.Equal(notes.Count, Value(read).Notes.Count);
        Assert.Equal(notes, Value(read).Notes);
        // The WAL may or may not have been checkpointed into the main file yet.
        var onDisk = new[] { _db, _db + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        Assert.True(onDisk > 4_000_000, $"the state is over 4 MB on disk ({onDisk} bytes)");
    }

    [Fact]
    public async Task Write_ConcurrentWritersWithSameETag_ExactlyOneWinsEachRound()
    {
        // Separate provider instances over one file, as separate connections are: the ETag check and
        // the write must be atomic across them.
        var writers = Enumerable.Range(0, 8).Select(_ => Providers.Storage(_db)).ToArray();
        var current = new GrainState<TestState>(new TestState { Count = 0 });
        await _storage.WriteStateAsync(StateName, _grain, current);

        for (var round = 1; round <= 5; round++)
        {
            var etag = current.ETag;
            var attempts = writers.Select((w, i) => Attempt(w, new GrainState<TestState>(new TestState { Count = round, Name = $"writer {i}" }, etag))).ToArray();
            var results = await Task.WhenAll(attempts);

            Assert.Equal(1, results.Count(r => r));
            current = await Read(_storage, StateName, _grain);
            Assert.Equal(round, Value(current).Count);
        }

        async Task<bool> Attempt(SqliteGrainStorage writer, GrainState<TestState> state)
        {
            try
            {
                await writer.WriteStateAsync(StateName, _grain, state);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task Database_AfterFirstUse_IsInWalMode()
    {
        await _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState()));

        using var connection = new SqliteConnection($"Data Source={_db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Read_AfterAFailedStart_RetriesOnceTheFolderCanBeCreated()
    {
        var blocker = _dir.File("blocked");
        File.WriteAllText(blocker, "a file where the database folder should be");
        var storage = Providers.Storage(Path.Combine(blocker, "grains.db"));

        await Assert.ThrowsAnyAsync<IOException>(() => storage.InitializeAsync());
        File.Delete(blocker);
        var state = new GrainState<TestState>(new TestState());
        await storage.ReadStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.True(File.Exists(Path.Combine(blocker, "grains.db")));
    }

    [Fact]
    public async Task Write_ThenNewProviderInstance_ReadsIt()
    {
        await _storage.WriteStateAsync(StateName, _grain, new GrainState<TestState>(new TestState { Name = "durable" }));
        SqliteConnection.ClearAllPools();

        var read = await Read(Providers.Storage(_db), StateName, _grain);

        Assert.Equal("durable", Value(read).Name);
    }

    private static TestState Value(GrainState<TestState> state) => state.State ?? throw new InvalidOperationException("state is null");

    private static async Task<GrainState<TestState>> Read(SqliteGrainStorage storage, string stateName, GrainId grain)
    {
        var state = new GrainState<TestState>(new TestState());
        await storage.ReadStateAsync(stateName, grain, state);
        return state;
    }
}
