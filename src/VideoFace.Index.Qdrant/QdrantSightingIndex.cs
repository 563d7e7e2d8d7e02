using System.Security.Cryptography;
using System.Text;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace VideoFace.Index.Qdrant;

/// <summary>
/// Sightings in a Qdrant collection (cosine, payload-indexed camera/identity/track/time) for the cluster profile.
/// Point ids are UUIDs derived from the sighting id (so re-upserting an id replaces its point); times are stored as
/// Unix milliseconds in integer-indexed fields, "last_ms" being the end (or the start of an open sighting).
/// </summary>
public sealed class QdrantSightingIndex : ISightingIndex
{
    /// <summary>Payload keys (the filter and index schema).</summary>
    public static class Fields
    {
        public const string SightingId = "sighting_id";
        public const string Camera = "camera";
        public const string StartMs = "start_ms";
        public const string EndMs = "end_ms";
        public const string LastMs = "last_ms";
        public const string Track = "track";
        public const string Identity = "identity";
        public const string IdentityName = "identity_name";
        public const string IdentitySimilarity = "identity_similarity";
        public const string Thumbnail = "thumbnail";
        public const string Keyframe = "keyframe";
        /// <summary>The face's box in the keyframe: a list of four numbers, x, y, width, height.</summary>
        public const string KeyframeBox = "keyframe_box";
    }

    private readonly QdrantClient _client;
    private readonly QdrantSightingIndexOptions _options;
    private readonly string _collection;

    private QdrantSightingIndex(QdrantClient client, QdrantSightingIndexOptions options)
    {
        _client = client;
        _options = options;
        _collection = options.Collection;
    }

    /// <summary>Connects and creates the collection and its payload indexes when missing.</summary>
    public static async Task<QdrantSightingIndex> OpenAsync(QdrantSightingIndexOptions options, CancellationToken ct = default)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        var client = new QdrantClient(options.Endpoint.Host, options.Endpoint.Port,
            https: options.Endpoint.Scheme == Uri.UriSchemeHttps, apiKey: options.ApiKey);
        var index = new QdrantSightingIndex(client, options);
        try { await index.EnsureCollectionAsync(ct).ConfigureAwait(false); }
        catch { client.Dispose(); throw; }
        return index;
    }

    public int Dimension => _options.Dimension;

    public async Task UpsertAsync(IReadOnlyList<Sighting> sightings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        var batch = sightings.GroupBy(s => s.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        foreach (var s in batch)
        {
            if (string.IsNullOrEmpty(s.Id)) throw new ArgumentException("A sighting needs an id.", nameof(sightings));
            VectorMath.Validate(s.Embedding, Dimension, $"sighting {s.Id}");
        }
        foreach (var chunk in batch.Chunk(_options.UpsertBatchSize))
            await _client.UpsertAsync(_collection, chunk.Select(ToPoint).ToList(), wait: true, cancellationToken: ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SightingHit>> SearchAsync(SightingQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        VectorMath.Validate(query.Embedding, Dimension, "query");
        if (query.TopK <= 0) return [];
        var points = await _client.QueryAsync(_collection, query: query.Embedding, filter: ToFilter(query), limit: (ulong)query.TopK,
            payloadSelector: true, vectorsSelector: true, scoreThreshold: query.MinSimilarity, cancellationToken: ct).ConfigureAwait(false);
        return points.Select(p => new SightingHit(FromPayload(p.Payload, VectorOf(p.Vectors)), p.Score)).ToList();
    }

    public async Task<Sighting?> GetAsync(string id, CancellationToken ct = default)
    {
        var points = await _client.RetrieveAsync(_collection, PointIdFor(id), withPayload: true, withVectors: true, cancellationToken: ct).ConfigureAwait(false);
        return points.Count == 0 ? null : FromPayload(points[0].Payload, VectorOf(points[0].Vectors));
    }

    public async Task<long> DeleteAsync(IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        long deleted = 0;
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            ArgumentException.ThrowIfNullOrEmpty(id);
            deleted += await DeleteAsync(new Filter { Must = { MatchKeyword(Fields.SightingId, id) } }, ct).ConfigureAwait(false);
        }
        return deleted;
    }

    public Task<long> DeleteByIdentityAsync(string identityId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identityId);
        return DeleteAsync(new Filter { Must = { MatchKeyword(Fields.Identity, identityId) } }, ct);
    }

    public async Task<long> ReassignIdentityAsync(string fromIdentityId, string toIdentityId, string? name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fromIdentityId);
        ArgumentException.ThrowIfNullOrEmpty(toIdentityId);
        var filter = new Filter { Must = { MatchKeyword(Fields.Identity, fromIdentityId) } };
        var count = (long)await _client.CountAsync(_collection, filter, exact: true, cancellationToken: ct).ConfigureAwait(false);
        if (count == 0) return 0;
        var payload = new Dictionary<string, Value>
        {
            [Fields.Identity] = toIdentityId,
            [Fields.IdentityName] = name is null ? new Value { NullValue = NullValue.NullValue } : name,
        };
        await _client.SetPayloadAsync(_collection, payload, filter, wait: true, cancellationToken: ct).ConfigureAwait(false);
        return count;
    }

    public Task<long> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct = default) =>
        DeleteAsync(new Filter { Must = { Range(Fields.LastMs, new global::Qdrant.Client.Grpc.Range { Lt = before.ToUnixTimeMilliseconds() }) } }, ct);

    public async Task<long> CountAsync(CancellationToken ct = default) =>
        (long)await _client.CountAsync(_collection, exact: true, cancellationToken: ct).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The point id of a sighting: a name-based (v5-style, SHA-1) UUID of its id, stable across processes.</summary>
    public static Guid PointIdFor(string sightingId)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(Encoding.UTF8.GetBytes("videoface.sighting:" + sightingId), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The filter of a query (must: camera in list, time overlap, identity).</summary>
    public static Filter? ToFilter(SightingQuery q)
    {
        var filter = new Filter();
        if (q.Cameras is { Count: > 0 } cameras) filter.Must.Add(Match(Fields.Camera, cameras.Distinct(StringComparer.Ordinal).ToList()));
        if (q.To is { } to) filter.Must.Add(Range(Fields.StartMs, new global::Qdrant.Client.Grpc.Range { Lte = to.ToUnixTimeMilliseconds() }));
        if (q.From is { } from) filter.Must.Add(Range(Fields.LastMs, new global::Qdrant.Client.Grpc.Range { Gte = from.ToUnixTimeMilliseconds() }));
        if (q.IdentityId is { } identity) filter.Must.Add(MatchKeyword(Fields.Identity, identity));
        return filter.Must.Count == 0 ? null : filter;
    }

    private async Task<long> DeleteAsync(Filter filter, CancellationToken ct)
    {
        // Qdrant's delete does not report how many points matched: count first (exact, same filter).
        var count = (long)await _client.CountAsync(_collection, filter, exact: true, cancellationToken: ct).ConfigureAwait(false);
        if (count > 0) await _client.DeleteAsync(_collection, filter, wait: true, cancellationToken: ct).ConfigureAwait(false);
        return count;
    }

    private async Task EnsureCollectionAsync(CancellationToken ct)
    {
        if (!await _client.CollectionExistsAsync(_collection, ct).ConfigureAwait(false))
        {
            await _client.CreateCollectionAsync(_collection,
                new VectorParams { Size = (ulong)Dimension, Distance = Distance.Cosine }, cancellationToken: ct).ConfigureAwait(false);
            foreach (var (field, type) in new[]
                     {
                         (Fields.SightingId, PayloadSchemaType.Keyword), (Fields.Camera, PayloadSchemaType.Keyword),
                         (Fields.Identity, PayloadSchemaType.Keyword), (Fields.Track, PayloadSchemaType.Keyword),
                         (Fields.StartMs, PayloadSchemaType.Integer), (Fields.LastMs, PayloadSchemaType.Integer),
                     })
                await _client.CreatePayloadIndexAsync(_collection, field, type, cancellationToken: ct).ConfigureAwait(false);
            return;
        }
        var info = await _client.GetCollectionInfoAsync(_collection, ct).ConfigureAwait(false);
        var vectors = info.Config?.Params?.VectorsConfig?.Params;
        if (vectors is not null && ((int)vectors.Size != Dimension || vectors.Distance != Distance.Cosine))
            throw new InvalidOperationException(
                $"Qdrant collection '{_collection}' has {vectors.Size}-d {vectors.Distance} vectors; this index needs {Dimension}-d Cosine.");
    }

    private static PointStruct ToPoint(Sighting s)
    {
        var point = new PointStruct { Id = PointIdFor(s.Id), Vectors = s.Embedding };
        var p = point.Payload;
        p[Fields.SightingId] = s.Id;
        p[Fields.Camera] = s.CameraId;
        p[Fields.StartMs] = s.Start.ToUnixTimeMilliseconds();
        if (s.End is { } end) p[Fields.EndMs] = end.ToUnixTimeMilliseconds();
        p[Fields.LastMs] = (s.End ?? s.Start).ToUnixTimeMilliseconds();
        p[Fields.Track] = s.TrackId;
        if (s.IdentityId is { } identity) p[Fields.Identity] = identity;
        if (s.IdentityName is { } name) p[Fields.IdentityName] = name;
        p[Fields.IdentitySimilarity] = (double)s.IdentitySimilarity;
        if (s.ThumbnailKey is { } thumb) p[Fields.Thumbnail] = thumb;
        if (s.KeyframeKey is { } keyframe) p[Fields.Keyframe] = keyframe;
        if (s.KeyframeBox is { } box)
            p[Fields.KeyframeBox] = new Value { ListValue = new ListValue { Values = { (double)box.X, (double)box.Y, (double)box.Width, (double)box.Height } } };
        return point;
    }

    private static float[] VectorOf(VectorsOutput? vectors)
    {
        var v = vectors?.Vector;
        if (v is null) return [];
        if (v.Dense is { } dense) return [.. dense.Data];
#pragma warning disable CS0612, CS0618 // servers before 1.13 (and some since) still fill the deprecated flat field
        return [.. v.Data];
#pragma warning restore CS0612, CS0618
    }

    private static Sighting FromPayload(IDictionary<string, Value> p, float[] embedding)
    {
        string? Str(string key) => p.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : null;
        long? Int(string key) => p.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.IntegerValue ? v.IntegerValue : null;
        double Dbl(string key) => p.TryGetValue(key, out var v)
            ? v.KindCase == Value.KindOneofCase.DoubleValue ? v.DoubleValue : v.IntegerValue
            : 0;
        return new Sighting(
            Str(Fields.SightingId) ?? "",
            embedding,
            Str(Fields.Camera) ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds(Int(Fields.StartMs) ?? 0),
            Int(Fields.EndMs) is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null,
            Str(Fields.Track) ?? "",
            Str(Fields.Identity),
            Str(Fields.IdentityName),
            (float)Dbl(Fields.IdentitySimilarity),
            Str(Fields.Thumbnail),
            Str(Fields.Keyframe),
            BoxOf(p));
    }

    /// <summary>The keyframe box of a payload, or null when absent or not four numbers.</summary>
    private static PixelBox? BoxOf(IDictionary<string, Value> p)
    {
        if (!p.TryGetValue(Fields.KeyframeBox, out var v) || v.KindCase != Value.KindOneofCase.ListValue || v.ListValue.Values.Count != 4) return null;
        var n = new float[4];
        for (var i = 0; i < 4; i++)
        {
            var x = v.ListValue.Values[i];
            n[i] = x.KindCase switch
            {
                Value.KindOneofCase.DoubleValue => (float)x.DoubleValue,
                Value.KindOneofCase.IntegerValue => x.IntegerValue,
                _ => float.NaN,
            };
        }
        return n.Any(float.IsNaN) ? null : new PixelBox(n[0], n[1], n[2], n[3]);
    }
}
