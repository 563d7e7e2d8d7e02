using System.Diagnostics;
using System.Diagnostics.Metrics;
using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Hosting.Telemetry;

/// <summary>Metrics of the stores: index size, search latency and upserts; blob bytes written and read.</summary>
public static class StorageInstruments
{
    public const string MeterName = "VideoFace.Storage";
    public const string IndexSize = "videoface.index.sightings";
    public const string IndexSearchLatency = "videoface.index.search.duration";
    public const string IndexUpserts = "videoface.index.upserts";
    public const string BlobBytesWritten = "videoface.blobs.written";
    public const string BlobBytesRead = "videoface.blobs.read";

    internal static readonly Meter Meter = new(MeterName);
    internal static readonly Histogram<double> SearchLatency = Meter.CreateHistogram<double>(IndexSearchLatency, "ms", "Sighting index search time");
    internal static readonly Counter<long> Upserts = Meter.CreateCounter<long>(IndexUpserts, "{sighting}", "Sightings written to the index");
    internal static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>(BlobBytesWritten, "By", "Thumbnail and keyframe bytes stored");
    internal static readonly Counter<long> BytesRead = Meter.CreateCounter<long>(BlobBytesRead, "By", "Blob bytes read");
}

/// <summary>The sighting index with its size, search latency and upserts measured.</summary>
internal sealed class InstrumentedSightingIndex : ISightingIndex
{
    private readonly ISightingIndex _inner;
    private long _size = -1;

    public InstrumentedSightingIndex(ISightingIndex inner)
    {
        _inner = inner;
        // the gauge reports the count last read; a background refresh keeps the collection callback from blocking on I/O
        StorageInstruments.Meter.CreateObservableGauge(StorageInstruments.IndexSize, () => Refresh(), "{sighting}", "Sightings in the index");
    }

    public int Dimension => _inner.Dimension;

    public async Task UpsertAsync(IReadOnlyList<Sighting> sightings, CancellationToken ct = default)
    {
        await _inner.UpsertAsync(sightings, ct);
        StorageInstruments.Upserts.Add(sightings.Count);
    }

    public async Task<IReadOnlyList<SightingHit>> SearchAsync(SightingQuery query, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        var hits = await _inner.SearchAsync(query, ct);
        StorageInstruments.SearchLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return hits;
    }

    public Task<Sighting?> GetAsync(string id, CancellationToken ct = default) => _inner.GetAsync(id, ct);

    public Task<long> DeleteAsync(IReadOnlyList<string> ids, CancellationToken ct = default) => _inner.DeleteAsync(ids, ct);

    public Task<long> DeleteByIdentityAsync(string identityId, CancellationToken ct = default) => _inner.DeleteByIdentityAsync(identityId, ct);

    public Task<long> ReassignIdentityAsync(string fromIdentityId, string toIdentityId, string? name, CancellationToken ct = default) =>
        _inner.ReassignIdentityAsync(fromIdentityId, toIdentityId, name, ct);

    public Task<long> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct = default) => _inner.DeleteOlderThanAsync(before, ct);

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        var count = await _inner.CountAsync(ct);
        Volatile.Write(ref _size, count);
        return count;
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private IEnumerable<Measurement<long>> Refresh()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await CountAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // a failing store shows in /health/ready; the gauge keeps its last value
            }
        });
        var size = Volatile.Read(ref _size);
        return size < 0 ? [] : [new Measurement<long>(size)];
    }
}

/// <summary>The blob store with bytes written and read counted.</summary>
internal sealed class InstrumentedBlobStore(IBlobStore inner) : IBlobStore
{
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default)
    {
        await inner.PutAsync(key, content, contentType, ct);
        StorageInstruments.BytesWritten.Add(content.Length);
    }

    public async Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default)
    {
        var blob = await inner.GetAsync(key, ct);
        if (blob is { } b) StorageInstruments.BytesRead.Add(b.Content.Length);
        return blob;
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default) => inner.DeleteAsync(key, ct);

    public string GetReadUrl(string key, TimeSpan ttl) => inner.GetReadUrl(key, ttl);

    public IAsyncEnumerable<BlobItemInfo> ListAsync(string? prefix = null, CancellationToken ct = default) => inner.ListAsync(prefix, ct);

    public Task<int> DeleteOlderThanAsync(DateTimeOffset before, string? prefix = null, CancellationToken ct = default) =>
        inner.DeleteOlderThanAsync(before, prefix, ct);
}
