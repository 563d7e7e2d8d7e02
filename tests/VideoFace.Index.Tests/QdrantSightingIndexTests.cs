using Qdrant.Client.Grpc;
using VideoFace.Index.Qdrant;

namespace VideoFace.Index.Tests;

/// <summary>
/// The contract on the Qdrant store: against a live Qdrant when QDRANT_URL is set (a fresh collection per test),
/// otherwise against <see cref="QdrantStandIn"/>, which also lets these tests check the requests sent.
/// </summary>
public sealed class QdrantSightingIndexTests : SightingIndexContract
{
    private static readonly string? LiveUrl = Environment.GetEnvironmentVariable("QDRANT_URL");
    private QdrantStandIn? _standIn;

    protected override async Task<ISightingIndex> CreateAsync()
    {
        Uri endpoint;
        if (LiveUrl is { Length: > 0 }) endpoint = new Uri(LiveUrl);
        else
        {
            _standIn = new QdrantStandIn();
            await _standIn.StartAsync();
            endpoint = _standIn.Endpoint;
        }
        return await QdrantSightingIndex.OpenAsync(new QdrantSightingIndexOptions
        {
            Endpoint = endpoint, Dimension = Dim, Collection = "vf_test_" + Guid.NewGuid().ToString("N"), UpsertBatchSize = 100,
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_standIn is not null) await _standIn.DisposeAsync();
    }

    [Fact]
    public void Collection_CreatedWithCosineSizeAndPayloadIndexes()
    {
        if (_standIn is null) return; // live server: nothing recorded
        var vectors = _standIn.Collection!.VectorsConfig.Params;
        Assert.Equal((ulong)Dim, vectors.Size);
        Assert.Equal(Distance.Cosine, vectors.Distance);
        Assert.Equal(FieldType.Keyword, _standIn.FieldIndexes["camera"]);
        Assert.Equal(FieldType.Keyword, _standIn.FieldIndexes["identity"]);
        Assert.Equal(FieldType.Keyword, _standIn.FieldIndexes["track"]);
        Assert.Equal(FieldType.Integer, _standIn.FieldIndexes["start_ms"]);
        Assert.Equal(FieldType.Integer, _standIn.FieldIndexes["last_ms"]);
    }

    [Fact]
    public async Task Upsert_SendsBatchesWithTypedPayloadAndDeterministicUuids()
    {
        if (_standIn is null) return;
        await Index.UpsertAsync(Enumerable.Range(0, 250).Select(i => S($"b{i}", Vec(), identity: i == 0 ? "p1" : null)).ToList());
        var upserts = _standIn.Requests.OfType<UpsertPoints>().ToList();
        Assert.Equal([100, 100, 50], upserts.Select(u => u.Points.Count));
        Assert.All(upserts, u => Assert.True(u.Wait));
        var first = upserts[0].Points[0];
        Assert.Equal(QdrantSightingIndex.PointIdFor("b0").ToString(), first.Id.Uuid);
        Assert.Equal(QdrantSightingIndex.PointIdFor("b0"), QdrantSightingIndex.PointIdFor("b0"));
        Assert.NotEqual(QdrantSightingIndex.PointIdFor("b0"), QdrantSightingIndex.PointIdFor("b1"));
        var p = first.Payload;
        Assert.Equal("b0", p["sighting_id"].StringValue);
        Assert.Equal("cam1", p["camera"].StringValue);
        Assert.Equal("p1", p["identity"].StringValue);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), p["start_ms"].IntegerValue);
        Assert.Equal(T0.AddMinutes(5).ToUnixTimeMilliseconds(), p["end_ms"].IntegerValue);
        Assert.Equal(T0.AddMinutes(5).ToUnixTimeMilliseconds(), p["last_ms"].IntegerValue);
        Assert.Equal(Value.KindOneofCase.DoubleValue, p["identity_similarity"].KindCase);
        Assert.False(upserts[0].Points[1].Payload.ContainsKey("identity")); // unknown: absent, not null
        Assert.False(p.ContainsKey("keyframe_box")); // no keyframe: absent
    }

    [Fact]
    public async Task Upsert_Keyframe_SentAsKeywordAndListOfFourNumbers()
    {
        if (_standIn is null) return;
        await Index.UpsertAsync([S("kf", Vec()) with { KeyframeKey = "keyframes/cam1/kf.jpg", KeyframeBox = new PixelBox(1.5f, 2f, 30f, 40.25f) }]);
        var p = _standIn.Requests.OfType<UpsertPoints>().Single().Points.Single().Payload;
        Assert.Equal("keyframes/cam1/kf.jpg", p["keyframe"].StringValue);
        Assert.Equal(Value.KindOneofCase.ListValue, p["keyframe_box"].KindCase);
        Assert.Equal([1.5, 2, 30, 40.25], p["keyframe_box"].ListValue.Values.Select(v => v.DoubleValue));
    }

    [Fact]
    public async Task ReassignIdentity_SetsPayloadByIdentityFilterAndWaits()
    {
        if (_standIn is null) return;
        await Index.UpsertAsync([S("m1", Vec(), identity: "u-7")]);
        Assert.Equal(1, await Index.ReassignIdentityAsync("u-7", "p-ada", null));
        var set = _standIn.Requests.OfType<SetPayloadPoints>().Single();
        Assert.True(set.Wait);
        Assert.Equal("u-7", set.PointsSelector.Filter.Must.Single().Field.Match.Keyword);
        Assert.Equal("p-ada", set.Payload["identity"].StringValue);
        Assert.Equal(Value.KindOneofCase.NullValue, set.Payload["identity_name"].KindCase);
    }

    [Fact]
    public async Task Search_SendsMustFilterAndScoreThreshold()
    {
        if (_standIn is null) return;
        var from = T0.AddMinutes(1);
        var to = T0.AddMinutes(9);
        await Index.SearchAsync(new SightingQuery(Vec(), 7, ["cam1", "cam2"], from, to, "p1", 0.4f));
        var q = _standIn.Requests.OfType<QueryPoints>().Single();
        Assert.Equal(7UL, q.Limit);
        Assert.Equal(0.4f, q.ScoreThreshold);
        Assert.True(q.WithPayload.Enable);
        var must = q.Filter.Must.Select(c => c.Field).ToList();
        Assert.Equal(["cam1", "cam2"], must.Single(f => f.Key == "camera").Match.Keywords.Strings);
        Assert.Equal(to.ToUnixTimeMilliseconds(), must.Single(f => f.Key == "start_ms").Range.Lte);
        Assert.Equal(from.ToUnixTimeMilliseconds(), must.Single(f => f.Key == "last_ms").Range.Gte);
        Assert.Equal("p1", must.Single(f => f.Key == "identity").Match.Keyword);
        Assert.Empty(q.Filter.Should);
        await Index.SearchAsync(new SightingQuery(Vec()));
        Assert.Null(_standIn.Requests.OfType<QueryPoints>().Last().Filter); // no filters: none sent
    }
}
