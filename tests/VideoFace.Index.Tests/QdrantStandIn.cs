using System.Buffers.Binary;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Qdrant.Client.Grpc;

namespace VideoFace.Index.Tests;

/// <summary>
/// A stand-in for Qdrant's gRPC API on loopback (h2c): the Collections/Points methods the store uses, over a
/// brute-force in-memory collection, recording every request so tests can check what the client sends.
/// Qdrant.Client ships client stubs only, so the gRPC framing (5-byte prefix, grpc-status trailer) is done by hand.
/// </summary>
public sealed class QdrantStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (float[] Vector, MapField<string, Value> Payload)> _points = new();

    public QdrantStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        Map<CollectionExistsRequest, CollectionExistsResponse>("qdrant.Collections/CollectionExists",
            r => new() { Result = new() { Exists = Collection is not null && Collection.CollectionName == r.CollectionName } });
        Map<CreateCollection, CollectionOperationResponse>("qdrant.Collections/Create", r => { Collection = r; return new() { Result = true }; });
        Map<GetCollectionInfoRequest, GetCollectionInfoResponse>("qdrant.Collections/Get", _ => new()
        {
            Result = new() { Status = CollectionStatus.Green, Config = new() { Params = new() { VectorsConfig = Collection!.VectorsConfig } } },
        });
        Map<CreateFieldIndexCollection, PointsOperationResponse>("qdrant.Points/CreateFieldIndex", r => { FieldIndexes[r.FieldName] = r.FieldType; return Done(); });
        Map<UpsertPoints, PointsOperationResponse>("qdrant.Points/Upsert", r =>
        {
            foreach (var p in r.Points) _points[p.Id.Uuid] = (DenseOf(p.Vectors.Vector), p.Payload);
            return Done();
        });
        Map<QueryPoints, QueryResponse>("qdrant.Points/Query", r =>
        {
            var q = r.Query.Nearest.Dense.Data.ToArray();
            var hits = _points.Where(p => Matches(r.Filter, p.Value.Payload))
                .Select(p => (p.Key, p.Value, Score: Index.VectorMath.Cosine(q, p.Value.Vector)))
                .Where(h => !r.HasScoreThreshold || h.Score >= r.ScoreThreshold)
                .OrderByDescending(h => h.Score).Take((int)r.Limit);
            var response = new QueryResponse();
            response.Result.AddRange(hits.Select(h => new ScoredPoint { Id = new PointId { Uuid = h.Key }, Score = h.Score, Payload = { h.Value.Payload }, Vectors = Output(h.Value.Vector) }));
            return response;
        });
        Map<GetPoints, GetResponse>("qdrant.Points/Get", r =>
        {
            var response = new GetResponse();
            foreach (var id in r.Ids)
                if (_points.TryGetValue(id.Uuid, out var p))
                    response.Result.Add(new RetrievedPoint { Id = id, Payload = { p.Payload }, Vectors = Output(p.Vector) });
            return response;
        });
        Map<CountPoints, CountResponse>("qdrant.Points/Count", r => new() { Result = new() { Count = (ulong)_points.Count(p => Matches(r.Filter, p.Value.Payload)) } });
        Map<SetPayloadPoints, PointsOperationResponse>("qdrant.Points/SetPayload", r =>
        {
            if (r.PointsSelector?.Filter is not { } filter) throw new NotSupportedException("stand-in: set payload by filter only");
            foreach (var p in _points.Where(p => Matches(filter, p.Value.Payload)).ToList())
                foreach (var (key, value) in r.Payload) p.Value.Payload[key] = value;
            return Done();
        });
        Map<DeletePoints, PointsOperationResponse>("qdrant.Points/Delete", r =>
        {
            foreach (var p in _points.Where(p => Matches(r.Points.Filter, p.Value.Payload)).ToList()) _points.TryRemove(p.Key, out _);
            return Done();
        });
    }

    public Uri Endpoint { get; private set; } = null!;

    public CreateCollection? Collection { get; private set; }

    public ConcurrentDictionary<string, FieldType> FieldIndexes { get; } = new();

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<IMessage> Requests { get; } = new();

    public async Task StartAsync()
    {
        await _app.StartAsync();
        Endpoint = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static PointsOperationResponse Done() => new() { Result = new() { Status = UpdateStatus.Completed } };

    private static VectorsOutput Output(float[] v) => new() { Vector = new VectorOutput { Dense = new DenseVector { Data = { v } } } };

    private static float[] DenseOf(Vector v)
    {
        if (v.Dense is { } dense) return dense.Data.ToArray();
#pragma warning disable CS0612, CS0618
        return v.Data.ToArray();
#pragma warning restore CS0612, CS0618
    }

    /// <summary>The subset of Qdrant filters the store uses: must of keyword/keywords match and numeric range.</summary>
    private static bool Matches(Filter? filter, MapField<string, Value> payload)
    {
        if (filter is null) return true;
        if (filter.Should.Count > 0 || filter.MustNot.Count > 0) throw new NotSupportedException("stand-in: only must conditions");
        foreach (var c in filter.Must)
        {
            var f = c.Field ?? throw new NotSupportedException("stand-in: only field conditions");
            payload.TryGetValue(f.Key, out var v);
            if (f.Match is { } m)
            {
                var ok = m.MatchValueCase switch
                {
                    Match.MatchValueOneofCase.Keyword => v?.StringValue == m.Keyword,
                    Match.MatchValueOneofCase.Keywords => v is not null && m.Keywords.Strings.Contains(v.StringValue),
                    _ => throw new NotSupportedException($"stand-in: match {m.MatchValueCase}"),
                };
                if (!ok) return false;
            }
            else if (f.Range is { } r)
            {
                if (v is null || v.KindCase != Value.KindOneofCase.IntegerValue) return false;
                double x = v.IntegerValue;
                if ((r.HasLt && !(x < r.Lt)) || (r.HasLte && !(x <= r.Lte)) || (r.HasGt && !(x > r.Gt)) || (r.HasGte && !(x >= r.Gte))) return false;
            }
            else throw new NotSupportedException("stand-in: only match and range");
        }
        return true;
    }

    private void Map<TRequest, TResponse>(string method, Func<TRequest, TResponse> handle)
        where TRequest : IMessage<TRequest>, new() where TResponse : IMessage<TResponse>
    {
        var parser = new MessageParser<TRequest>(() => new TRequest());
        _app.MapPost("/" + method, async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = parser.ParseFrom(body.GetBuffer().AsSpan(5, (int)body.Length - 5));
            Requests.Enqueue(request);
            context.Response.ContentType = "application/grpc";
            context.Response.DeclareTrailer("grpc-status");
            try
            {
                var bytes = handle(request).ToByteArray();
                var frame = new byte[5 + bytes.Length];
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), bytes.Length);
                bytes.CopyTo(frame, 5);
                await context.Response.Body.WriteAsync(frame);
                context.Response.AppendTrailer("grpc-status", "0");
            }
            catch (NotSupportedException e)
            {
                context.Response.AppendTrailer("grpc-status", "12"); // UNIMPLEMENTED
                context.Response.AppendTrailer("grpc-message", e.Message);
            }
        });
    }
}
