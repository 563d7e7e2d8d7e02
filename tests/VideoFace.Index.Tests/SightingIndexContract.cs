namespace VideoFace.Index.Tests;

/// <summary>The behaviour every <see cref="ISightingIndex"/> must have; one subclass per store.</summary>
public abstract class SightingIndexContract : IAsyncLifetime
{
    protected const int Dim = 32;
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Random _rng = new(1234);

    protected ISightingIndex Index { get; private set; } = null!;

    protected void SetIndex(ISightingIndex index) => Index = index;

    /// <summary>A fresh, empty store of dimension <see cref="Dim"/>.</summary>
    protected abstract Task<ISightingIndex> CreateAsync();

    public virtual async Task InitializeAsync() => Index = await CreateAsync();

    public virtual async Task DisposeAsync() => await Index.DisposeAsync();

    protected float[] Vec() => TestVectors.Random(_rng, Dim);

    protected float[] Near(float[] v, float sim) => TestVectors.Near(v, sim, _rng);

    protected static Sighting S(string id, float[] v, string camera = "cam1", int startMin = 0, int? endMin = 5,
        string? identity = null, string track = "t1") =>
        new(id, v, camera, T0.AddMinutes(startMin), endMin is { } e ? T0.AddMinutes(e) : null, track, identity,
            identity is null ? null : identity.ToUpperInvariant(), identity is null ? 0f : 0.61f, $"thumbs/{id}.jpg");

    [Fact]
    public async Task Upsert_ThenGet_ReturnsEveryField()
    {
        var v = Vec();
        var s = new Sighting("a1", v, "cam7", T0, T0.AddSeconds(42.5), "track-9", "p1", "Alice", 0.73f, "thumbs/a1.jpg",
            "keyframes/a1.jpg", new PixelBox(412.25f, 96.5f, 130.75f, 161f));
        await Index.UpsertAsync([s]);
        var got = await Index.GetAsync("a1");
        Assert.NotNull(got);
        Assert.Equal(s with { Embedding = got.Embedding }, got);
        Assert.Equal(v, got.Embedding, (a, b) => MathF.Abs(a - b) < 1e-6f);
        var open = s with { Id = "a2", End = null, IdentityId = null, IdentityName = null, ThumbnailKey = null, KeyframeKey = null, KeyframeBox = null };
        await Index.UpsertAsync([open]);
        var gotOpen = await Index.GetAsync("a2");
        Assert.Equal(open with { Embedding = gotOpen!.Embedding }, gotOpen);
        Assert.Null(await Index.GetAsync("missing"));
    }

    [Fact]
    public async Task Upsert_Keyframe_ComesBackWithHitsAndIsReplacedWithTheSighting()
    {
        var q = Vec();
        var box = new PixelBox(10.5f, 20f, 64f, 80.25f);
        await Index.UpsertAsync([S("k", Near(q, .9f)) with { KeyframeKey = "keyframes/cam1/k.jpg", KeyframeBox = box }, S("none", Near(q, .8f))]);
        var hits = await Index.SearchAsync(new SightingQuery(q, TopK: 5));
        Assert.Equal(["k", "none"], hits.Select(h => h.Sighting.Id));
        Assert.Equal("keyframes/cam1/k.jpg", hits[0].Sighting.KeyframeKey);
        Assert.Equal(box, hits[0].Sighting.KeyframeBox);
        Assert.Null(hits[1].Sighting.KeyframeKey);
        Assert.Null(hits[1].Sighting.KeyframeBox);

        // a better face moves the box; a rewrite without a keyframe clears it, like any other field
        var moved = box with { X = 300f, Width = 90f };
        await Index.UpsertAsync([S("k", Near(q, .9f)) with { KeyframeKey = "keyframes/cam1/k.jpg", KeyframeBox = moved }]);
        Assert.Equal(moved, (await Index.GetAsync("k"))!.KeyframeBox);
        await Index.UpsertAsync([S("k", Near(q, .9f))]);
        var cleared = await Index.GetAsync("k");
        Assert.Null(cleared!.KeyframeKey);
        Assert.Null(cleared.KeyframeBox);
    }

    [Fact]
    public async Task Upsert_SameId_ReplacesPayloadAndVector()
    {
        var v1 = Vec();
        var v2 = Vec();
        await Index.UpsertAsync([S("a", v1, endMin: null)]);
        await Index.UpsertAsync([S("a", v2, endMin: 9, identity: "p1")]);
        Assert.Equal(1, await Index.CountAsync());
        var got = await Index.GetAsync("a");
        Assert.Equal(T0.AddMinutes(9), got!.End);
        Assert.Equal("p1", got.IdentityId);
        var byNew = await Index.SearchAsync(new SightingQuery(v2, TopK: 5));
        Assert.Equal("a", Assert.Single(byNew).Sighting.Id);
        Assert.Equal(1f, byNew[0].Similarity, 3);
        var byOld = await Index.SearchAsync(new SightingQuery(v1, TopK: 5, MinSimilarity: 0.9f));
        Assert.Empty(byOld); // the old vector is gone
    }

    [Fact]
    public async Task Search_TopK_BestFirstWithExactCosine()
    {
        var q = Vec();
        var sims = new[] { 0.95f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f };
        await Index.UpsertAsync(sims.Select((s, i) => S($"n{i}", Near(q, s))).ToList());
        await Index.UpsertAsync(Enumerable.Range(0, 40).Select(i => S($"r{i}", Vec())).ToList());
        var hits = await Index.SearchAsync(new SightingQuery(q, TopK: 5));
        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], hits.Select(h => h.Sighting.Id));
        for (var i = 0; i < 5; i++) Assert.Equal(sims[i], hits[i].Similarity, 2);
        Assert.Equal(47, await Index.CountAsync());
    }

    [Fact]
    public async Task Search_Cameras_OnlyListedCameras()
    {
        var q = Vec();
        await Index.UpsertAsync([S("c1", Near(q, .9f), "cam1"), S("c2", Near(q, .8f), "cam2"), S("c3", Near(q, .95f), "cam3")]);
        var hits = await Index.SearchAsync(new SightingQuery(q, Cameras: ["cam1", "cam2"]));
        Assert.Equal(["c1", "c2"], hits.Select(h => h.Sighting.Id));
    }

    [Fact]
    public async Task Search_TimeRange_SightingsOverlappingTheRange()
    {
        var q = Vec();
        await Index.UpsertAsync(
        [
            S("before", Near(q, .9f), startMin: 0, endMin: 10),
            S("overlapsStart", Near(q, .9f), startMin: 15, endMin: 25),
            S("inside", Near(q, .9f), startMin: 30, endMin: 40),
            S("openInside", Near(q, .9f), startMin: 45, endMin: null),
            S("overlapsEnd", Near(q, .9f), startMin: 55, endMin: 70),
            S("after", Near(q, .9f), startMin: 61, endMin: 80),
        ]);
        var hits = await Index.SearchAsync(new SightingQuery(q, From: T0.AddMinutes(20), To: T0.AddMinutes(60)));
        Assert.Equal(["inside", "openInside", "overlapsEnd", "overlapsStart"], hits.Select(h => h.Sighting.Id).Order());
        var fromOnly = await Index.SearchAsync(new SightingQuery(q, From: T0.AddMinutes(71)));
        Assert.Equal(["after"], fromOnly.Select(h => h.Sighting.Id));
        var toOnly = await Index.SearchAsync(new SightingQuery(q, To: T0.AddMinutes(5)));
        Assert.Equal(["before"], toOnly.Select(h => h.Sighting.Id));
    }

    [Fact]
    public async Task Search_IdentityAndMinSimilarity_Combine()
    {
        var q = Vec();
        await Index.UpsertAsync(
        [
            S("p1a", Near(q, .9f), identity: "p1"), S("p1b", Near(q, .5f), identity: "p1"),
            S("p2", Near(q, .95f), identity: "p2"), S("unk", Near(q, .97f)),
        ]);
        Assert.Equal(["p1a", "p1b"], (await Index.SearchAsync(new SightingQuery(q, IdentityId: "p1"))).Select(h => h.Sighting.Id));
        Assert.Equal(["p1a"], (await Index.SearchAsync(new SightingQuery(q, IdentityId: "p1", MinSimilarity: .7f))).Select(h => h.Sighting.Id));
        Assert.Equal(["unk", "p2", "p1a"], (await Index.SearchAsync(new SightingQuery(q, MinSimilarity: .7f))).Select(h => h.Sighting.Id));
        Assert.Empty(await Index.SearchAsync(new SightingQuery(q, IdentityId: "nobody")));
    }

    [Fact]
    public async Task Search_AllFiltersTogether()
    {
        var q = Vec();
        await Index.UpsertAsync(
        [
            S("hit", Near(q, .8f), "cam2", 10, 20, "p1"),
            S("wrongCam", Near(q, .9f), "cam9", 10, 20, "p1"),
            S("wrongTime", Near(q, .9f), "cam2", 100, 120, "p1"),
            S("wrongPerson", Near(q, .9f), "cam2", 10, 20, "p2"),
            S("tooFar", Near(q, .3f), "cam2", 10, 20, "p1"),
        ]);
        var hits = await Index.SearchAsync(new SightingQuery(q, 10, ["cam1", "cam2"], T0.AddMinutes(15), T0.AddMinutes(30), "p1", 0.5f));
        Assert.Equal(["hit"], hits.Select(h => h.Sighting.Id));
    }

    [Fact]
    public async Task DeleteByIdentity_RemovesOnlyThatPerson()
    {
        var q = Vec();
        await Index.UpsertAsync([S("a", Near(q, .9f), identity: "p1"), S("b", Near(q, .9f), identity: "p1"), S("c", Near(q, .9f), identity: "p2"), S("d", Near(q, .9f))]);
        Assert.Equal(2, await Index.DeleteByIdentityAsync("p1"));
        Assert.Equal(2, await Index.CountAsync());
        Assert.Null(await Index.GetAsync("a"));
        Assert.Equal(["c", "d"], (await Index.SearchAsync(new SightingQuery(q))).Select(h => h.Sighting.Id).Order());
        Assert.Equal(0, await Index.DeleteByIdentityAsync("p1"));
    }

    [Fact]
    public async Task DeleteByIds_RemovesExactlyThoseSightings_AbsentOnesAreSkipped()
    {
        var q = Vec();
        await Index.UpsertAsync([S("a", Near(q, .9f), identity: "p1"), S("b", Near(q, .9f), identity: "p1"), S("c", Near(q, .9f))]);
        Assert.Equal(2, await Index.DeleteAsync(["a", "c", "c", "nobody"]));
        Assert.Null(await Index.GetAsync("a"));
        Assert.Null(await Index.GetAsync("c"));
        Assert.Equal(["b"], (await Index.SearchAsync(new SightingQuery(q))).Select(h => h.Sighting.Id));
        Assert.Equal(0, await Index.DeleteAsync(["a"]));
        Assert.Equal(1, await Index.CountAsync());
    }

    [Fact]
    public async Task ReassignIdentity_MovesOnlyThatIdentitysSightingsAndTheirName()
    {
        var q = Vec();
        await Index.UpsertAsync([S("a", Near(q, .9f), identity: "u1"), S("b", Near(q, .9f), identity: "u1"), S("c", Near(q, .9f), identity: "p2"), S("d", Near(q, .9f))]);
        Assert.Equal(2, await Index.ReassignIdentityAsync("u1", "p2", "Ada"));
        var a = await Index.GetAsync("a");
        Assert.Equal(("p2", "Ada"), (a!.IdentityId, a.IdentityName));
        Assert.Equal(q.Length, a.Embedding.Length);
        Assert.Equal(["a", "b", "c"], (await Index.SearchAsync(new SightingQuery(q, IdentityId: "p2"))).Select(h => h.Sighting.Id).Order());
        Assert.Empty(await Index.SearchAsync(new SightingQuery(q, IdentityId: "u1")));
        Assert.Equal("P2", (await Index.GetAsync("c"))!.IdentityName); // not part of the move: untouched
        Assert.Null((await Index.GetAsync("d"))!.IdentityId);
        Assert.Equal(0, await Index.ReassignIdentityAsync("u1", "p2", "Ada"));

        // a rename is a move onto the same id; an unnamed target clears the name
        Assert.Equal(3, await Index.ReassignIdentityAsync("p2", "p2", null));
        Assert.Null((await Index.GetAsync("b"))!.IdentityName);
        Assert.Equal(4, await Index.CountAsync());
    }

    [Fact]
    public async Task DeleteOlderThan_UsesEndOrStartOfOpenSightings()
    {
        var q = Vec();
        await Index.UpsertAsync(
        [
            S("endedEarly", Near(q, .9f), startMin: 0, endMin: 10),
            S("endedLate", Near(q, .9f), startMin: 0, endMin: 30),
            S("openEarly", Near(q, .9f), startMin: 5, endMin: null),
            S("openLate", Near(q, .9f), startMin: 25, endMin: null),
        ]);
        Assert.Equal(2, await Index.DeleteOlderThanAsync(T0.AddMinutes(20)));
        Assert.Equal(["endedLate", "openLate"], (await Index.SearchAsync(new SightingQuery(q))).Select(h => h.Sighting.Id).Order());
        Assert.Equal(2, await Index.CountAsync());
    }

    [Fact]
    public async Task Upsert_WrongDimension_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Index.UpsertAsync([S("x", new float[Dim + 1])]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.SearchAsync(new SightingQuery(new float[Dim - 1])));
        Assert.Equal(Dim, Index.Dimension);
    }

    [Fact]
    public async Task Search_ManyAndBatches_CountAndGroupings()
    {
        var q = Vec();
        var batch = Enumerable.Range(0, 300).Select(i => S($"m{i}", i < 6 ? Near(q, .9f - i * .01f) : Vec(), $"cam{i % 3}", track: $"t{i % 4}", identity: i % 2 == 0 ? "p1" : null)).ToList();
        await Index.UpsertAsync(batch);
        Assert.Equal(300, await Index.CountAsync());
        var hits = await Index.SearchAsync(new SightingQuery(q, TopK: 6));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4", "m5"], hits.Select(h => h.Sighting.Id));
        var byTrack = SightingGrouping.ByTrack(hits);
        Assert.Equal(6, byTrack.Count); // (camera, track) pairs differ for consecutive ids
        var byIdentity = SightingGrouping.ByIdentity(hits);
        Assert.Equal("p1", byIdentity[0].Key);
    }
}
