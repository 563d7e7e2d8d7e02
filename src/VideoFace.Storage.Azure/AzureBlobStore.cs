using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace VideoFace.Storage.Azure;

/// <summary>
/// Blobs in one Azure Blob Storage container (created on first use); read URLs are read-only SAS URLs signed with
/// the account key of the connection string, so they work from a browser without going through the API.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly Uri? _publicEndpoint;
    private readonly Lock _gate = new();
    private Task? _creating;

    /// <param name="connectionString">Azure Storage connection string with an account key (needed to sign SAS URLs).</param>
    /// <param name="container">Container name (lower case letters, digits, '-').</param>
    /// <param name="publicBlobEndpoint">
    /// Blob endpoint that clients reach (e.g. "http://localhost:10000/devstoreaccount1" when the silo talks to
    /// "http://azurite:10000/…" inside Docker); SAS URLs are rewritten onto it. Null: the connection string's endpoint.
    /// </param>
    public AzureBlobStore(string connectionString, string container, Uri? publicBlobEndpoint = null, TimeProvider? time = null)
        : this(new BlobContainerClient(connectionString, container), publicBlobEndpoint, time)
    {
    }

    public AzureBlobStore(BlobContainerClient container, Uri? publicBlobEndpoint = null, TimeProvider? time = null)
    {
        _container = container;
        if (!_container.CanGenerateSasUri)
            throw new InvalidOperationException("the Azure blob store signs read URLs with the account key: its connection string needs AccountName and AccountKey");
        _publicEndpoint = publicBlobEndpoint;
        _time = time ?? TimeProvider.System;
    }

    public string ContainerName => _container.Name;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default)
    {
        BlobKeys.Validate(key);
        var type = BlobContentTypes.Check(key, content.Span, contentType);
        await EnsureContainerAsync(ct).ConfigureAwait(false);
        await _container.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = type },
        }, ct).ConfigureAwait(false);
    }

    public async Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default)
    {
        BlobKeys.Validate(key);
        try
        {
            var result = await _container.GetBlobClient(key).DownloadContentAsync(ct).ConfigureAwait(false);
            return (result.Value.Content.ToArray(), result.Value.Details.ContentType ?? "application/octet-stream");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        BlobKeys.Validate(key);
        try
        {
            return (await _container.GetBlobClient(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false; // the container itself does not exist yet
        }
    }

    public string GetReadUrl(string key, TimeSpan ttl)
    {
        BlobKeys.Validate(key);
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a read URL needs a positive lifetime");
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, _time.GetUtcNow() + ttl)
        {
            BlobContainerName = _container.Name,
            BlobName = key,
            Resource = "b",
        };
        var uri = _container.GetBlobClient(key).GenerateSasUri(sas);
        return (_publicEndpoint is null ? uri : OnPublicEndpoint(uri)).AbsoluteUri;
    }

    public async IAsyncEnumerable<BlobItemInfo> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await EnsureContainerAsync(ct).ConfigureAwait(false);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, ct).ConfigureAwait(false))
            yield return new BlobItemInfo(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue, item.Properties.ContentType);
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset before, string? prefix = null, CancellationToken ct = default)
    {
        int deleted = 0;
        // collect first: deleting while paging a listing can skip entries
        var old = new List<string>();
        await foreach (var item in ListAsync(prefix, ct).ConfigureAwait(false))
            if (item.LastModified < before) old.Add(item.Key);
        foreach (var key in old)
        {
            if ((await _container.GetBlobClient(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false)).Value)
                deleted++;
        }
        return deleted;
    }

    private Task EnsureContainerAsync(CancellationToken ct)
    {
        Task creating;
        lock (_gate)
        {
            // a failed creation (storage not up yet) is retried by the next call instead of failing forever
            if (_creating is null || _creating.IsFaulted || _creating.IsCanceled) _creating = _container.CreateIfNotExistsAsync();
            creating = _creating;
        }
        return creating.WaitAsync(ct);
    }

    /// <summary>The SAS URI with the scheme, host and base path of the public endpoint (the signature does not cover them).</summary>
    private Uri OnPublicEndpoint(Uri sasUri)
    {
        var account = _container.Uri.AbsolutePath.TrimEnd('/');
        account = account[..account.LastIndexOf('/')]; // path up to (not including) the container: "" or "/devstoreaccount1"
        var rest = sasUri.AbsolutePath[account.Length..];
        return new Uri(_publicEndpoint!.AbsoluteUri.TrimEnd('/') + rest + sasUri.Query);
    }
}
