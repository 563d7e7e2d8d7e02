namespace VideoFace.Index.Tests;

/// <summary>The contract on the embedded store, plus what only it has: files on disk.</summary>
public sealed class UsearchSightingIndexTests : SightingIndexContract
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vf-index-" + Guid.NewGuid().ToString("N"));

    private UsearchSightingIndexOptions Options(int checkpointEvery = 0) => new()
    {
        Directory = _dir, Dimension = Dim, CheckpointEveryChanges = checkpointEvery, CheckpointInterval = TimeSpan.Zero,
        // Small enough that the filtered tests below also take the graph over-fetch path.
        ExactScanThreshold = 2,
    };

    protected override Task<ISightingIndex> CreateAsync() => Task.FromResult<ISightingIndex>(UsearchSightingIndex.Open(Options()));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private async Task<UsearchSightingIndex> ReopenAsync(Action? whileClosed = null, bool checkpointOnClose = true)
    {
        if (checkpointOnClose) await Index.DisposeAsync();
        else ((UsearchSightingIndex)Index).CloseWithoutCheckpoint();
        whileClosed?.Invoke();
        var reopened = UsearchSightingIndex.Open(Options());
        SetIndex(reopened);
        return reopened;
    }

    [Fact]
    public async Task Reopen_AfterDispose_LoadsCheckpointWithEverything()
    {
        var (q, ids) = await FillAsync();
        var reopened = await ReopenAsync();
        Assert.Equal("checkpoint+0 replayed", reopened.How);
        await AssertAllPresentAsync(reopened, q, ids);
    }

    [Fact]
    public async Task Reopen_WithChangesAfterCheckpoint_ReplaysUpsertsAndDeletes()
    {
        var (q, ids) = await FillAsync();
        await ((UsearchSightingIndex)Index).CheckpointAsync();
        var late = S("late", Near(q, .99f), identity: "late");
        await Index.UpsertAsync([late, S(ids[0], Near(q, .98f), identity: "p9")]); // one new, one replaced
        Assert.Equal(1, await Index.DeleteByIdentityAsync("p3"));
        var reopened = await ReopenAsync(checkpointOnClose: false);
        Assert.StartsWith("checkpoint+", reopened.How);
        Assert.NotEqual("checkpoint+0 replayed", reopened.How);
        Assert.Equal(ids.Count, await reopened.CountAsync());
        Assert.Equal(ids.Count, reopened.GraphSize);
        var top = await reopened.SearchAsync(new SightingQuery(q, TopK: 2));
        Assert.Equal(["late", ids[0]], top.Select(h => h.Sighting.Id));
        Assert.Empty(await reopened.SearchAsync(new SightingQuery(q, IdentityId: "p3")));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("corrupt")]
    public async Task Reopen_GraphFileMissingOrCorrupt_RebuildsFromSqlite(string damage)
    {
        var (q, ids) = await FillAsync();
        var graph = Path.Combine(_dir, "sightings.usearch");
        var reopened = await ReopenAsync(() =>
        {
            if (damage == "missing") File.Delete(graph);
            else File.WriteAllBytes(graph, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        });
        Assert.StartsWith("rebuilt", reopened.How);
        await AssertAllPresentAsync(reopened, q, ids);
    }

    [Theory]
    [InlineData(0UL, 128)]
    [InlineData(100_000UL, 128)]
    [InlineData(200_000UL, 256)]
    [InlineData(1_000_000UL, 554)]
    public void SearchExpansion_GrowsWithTheLogOfTheSizePast100k(ulong size, int expected) =>
        Assert.Equal(expected, UsearchSightingIndex.SearchExpansionFor(128, size));

    [Fact]
    public async Task Search_SelectiveFilterOnLargerIndex_FindsRareMatchesFarFromTheQuery()
    {
        var q = Vec();
        var many = Enumerable.Range(0, 2_000).Select(i => S($"x{i}", Near(q, .6f + (i % 30) / 100f), "busy")).ToList();
        many.AddRange(Enumerable.Range(0, 3).Select(i => S($"rare{i}", Near(q, .3f - i / 10f), "quiet")));
        await Index.UpsertAsync(many);
        // "quiet" is 3 rows in 2,003 (above the exact-scan threshold of this fixture) and far from q, behind 2,000
        // nearer "busy" rows: the filtered graph walk must skip those and still reach them.
        var hits = await Index.SearchAsync(new SightingQuery(q, TopK: 3, Cameras: ["quiet"]));
        Assert.Equal(["rare0", "rare1", "rare2"], hits.Select(h => h.Sighting.Id));
    }

    [Fact]
    public async Task Search_FiltersAfterReopenReplaceAndDelete_FollowTheDatabase()
    {
        // The graph walk's filter is an in-memory copy of camera/time/identity per key: it must be loaded at open and
        // follow every replace, delete and identity move, or filtered searches would return the wrong rows.
        var q = Vec();
        var rows = Enumerable.Range(0, 60).Select(i => S($"r{i}", Near(q, .5f + i / 200f), $"cam{i % 3}", startMin: i, endMin: i + 1, identity: $"p{i % 4}")).ToList();
        await Index.UpsertAsync(rows);
        var reopened = await ReopenAsync(checkpointOnClose: false);
        await reopened.UpsertAsync([S("r59", Near(q, .99f), "cam9", startMin: 500, endMin: 501, identity: "p9")]); // moved everywhere
        await reopened.DeleteByIdentityAsync("p1");
        await reopened.ReassignIdentityAsync("p2", "p7", "Seven");

        var cam0 = await reopened.SearchAsync(new SightingQuery(q, TopK: 100, Cameras: ["cam0"]));
        Assert.Equal(rows.Where(r => r.CameraId == "cam0" && r.IdentityId != "p1").Select(r => r.Id).Order(), cam0.Select(h => h.Sighting.Id).Order());
        Assert.Equal(["r59"], (await reopened.SearchAsync(new SightingQuery(q, TopK: 100, Cameras: ["cam9"]))).Select(h => h.Sighting.Id));
        var window = await reopened.SearchAsync(new SightingQuery(q, TopK: 100, From: T0.AddMinutes(10), To: T0.AddMinutes(20)));
        Assert.Equal(rows.Where(r => r.Start <= T0.AddMinutes(20) && r.End >= T0.AddMinutes(10) && r.IdentityId != "p1").Select(r => r.Id).Order(),
            window.Select(h => h.Sighting.Id).Order());
        var seven = await reopened.SearchAsync(new SightingQuery(q, TopK: 100, IdentityId: "p7"));
        Assert.Equal(rows.Where(r => r.IdentityId == "p2").Select(r => r.Id).Order(), seven.Select(h => h.Sighting.Id).Order());
        Assert.Empty(await reopened.SearchAsync(new SightingQuery(q, TopK: 100, IdentityId: "p2")));
        Assert.Empty(await reopened.SearchAsync(new SightingQuery(q, TopK: 100, IdentityId: "p1")));
        Assert.Empty(await reopened.SearchAsync(new SightingQuery(q, TopK: 100, Cameras: ["nowhere"])));
    }

    [Fact]
    public async Task Open_DatabaseFromBeforeKeyframes_AddsTheColumnsAndKeepsItsRows()
    {
        await Index.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        Directory.CreateDirectory(_dir);
        var q = Vec();
        var old = Near(q, .9f);
        // the sightings table as earlier versions created it: no keyframe columns; no graph file either
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "sightings.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE sightings(
                    key INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, camera TEXT NOT NULL,
                    start_ticks INTEGER NOT NULL, end_ticks INTEGER NULL, last_ticks INTEGER NOT NULL, track TEXT NOT NULL,
                    identity TEXT NULL, identity_name TEXT NULL, identity_sim REAL NOT NULL, thumb TEXT NULL, embedding BLOB NOT NULL);
                CREATE TABLE deletions(seq INTEGER PRIMARY KEY, key INTEGER NOT NULL);
                CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO meta(name, value) VALUES ('dimension', $dim);
                INSERT INTO sightings(seq, id, camera, start_ticks, end_ticks, last_ticks, track, identity, identity_name, identity_sim, thumb, embedding)
                VALUES (1, 'old', 'cam1', $start, NULL, $start, 't1', 'p1', 'P1', 0.7, 'thumbs/old.jpg', $embedding);
                """;
            cmd.Parameters.AddWithValue("$dim", Dim);
            cmd.Parameters.AddWithValue("$start", T0.UtcTicks);
            cmd.Parameters.AddWithValue("$embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(old.AsSpan()).ToArray());
            cmd.ExecuteNonQuery();
        }

        var reopened = UsearchSightingIndex.Open(Options());
        SetIndex(reopened);
        Assert.StartsWith("rebuilt", reopened.How);
        var kept = await reopened.GetAsync("old");
        Assert.Equal(new Sighting("old", kept!.Embedding, "cam1", T0, null, "t1", "p1", "P1", 0.7f, "thumbs/old.jpg"), kept);
        Assert.Null(kept.KeyframeKey);
        var box = new PixelBox(5, 6, 70, 80);
        await reopened.UpsertAsync([S("new", Near(q, .8f)) with { KeyframeKey = "keyframes/cam1/new.jpg", KeyframeBox = box }]);
        var hits = await reopened.SearchAsync(new SightingQuery(q, TopK: 5));
        Assert.Equal(["old", "new"], hits.Select(h => h.Sighting.Id));
        Assert.Equal(box, hits[1].Sighting.KeyframeBox);
        Assert.Equal("keyframes/cam1/new.jpg", hits[1].Sighting.KeyframeKey);

        // and the migrated file opens again as it is now
        var again = await ReopenAsync();
        Assert.Equal(box, (await again.GetAsync("new"))!.KeyframeBox);
        Assert.Equal(2, await again.CountAsync());
    }

    private async Task<(float[] Query, List<string> Ids)> FillAsync()
    {
        var q = Vec();
        var batch = Enumerable.Range(0, 400).Select(i => S($"f{i}", Near(q, .2f + i / 1000f), identity: $"p{i % 7}")).ToList();
        batch.RemoveAll(s => s.IdentityId == "p3" && s.Id != "f3");
        await Index.UpsertAsync(batch);
        return (q, batch.Select(s => s.Id).ToList());
    }

    private static async Task AssertAllPresentAsync(UsearchSightingIndex index, float[] q, List<string> ids)
    {
        Assert.Equal(ids.Count, await index.CountAsync());
        Assert.Equal(ids.Count, index.GraphSize);
        foreach (var id in ids) Assert.Equal(index.Dimension, (await index.GetAsync(id))!.Embedding.Length);
        // asking the approximate graph for every point at once is not exact (HNSW may miss a few at k = n, and a
        // rebuilt graph differs run to run), so the graph must return nearly all and nothing foreign
        var all = (await index.SearchAsync(new SightingQuery(q, TopK: ids.Count))).Select(h => h.Sighting.Id).ToList();
        Assert.True(all.Count >= ids.Count * 0.95, $"graph returned {all.Count} of {ids.Count}");
        Assert.All(all, id => Assert.Contains(id, ids));
    }
}
