using System.Runtime.CompilerServices;

namespace VideoFace.Storage;

/// <summary>
/// Blobs as files under a root folder (the embedded default, or a folder shared by the silos); writes are atomic
/// (temporary file, then rename); the content type sits beside each file in "{file}.type". Read URLs are signed
/// "/api/blobs/…" URLs that the API verifies with the same <see cref="BlobUrlSigner"/>.
/// </summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private const string TypeSuffix = ".type";
    private const string TempSuffix = ".tmp";
    private readonly string _root;

    /// <param name="root">Folder holding the blobs (created when missing).</param>
    /// <param name="signer">Signs read URLs; without one a random key is used, so URLs die with the process.</param>
    public LocalFolderBlobStore(string root, BlobUrlSigner? signer = null)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
        Signer = signer ?? BlobUrlSigner.Ephemeral();
    }

    /// <summary>The signer of this store's read URLs (the API verifies requests with it).</summary>
    public BlobUrlSigner Signer { get; }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default)
    {
        var path = PathOf(key);
        var type = BlobContentTypes.Check(key, content.Span, contentType);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var suffix = "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix;
        // the type first, so a reader never sees new bytes with an old type for long; both renames are atomic
        await File.WriteAllTextAsync(path + TypeSuffix + suffix, type, ct).ConfigureAwait(false);
        File.Move(path + TypeSuffix + suffix, path + TypeSuffix, overwrite: true);
        await File.WriteAllBytesAsync(path + suffix, content, ct).ConfigureAwait(false);
        File.Move(path + suffix, path, overwrite: true);
    }

    public async Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var type = File.Exists(path + TypeSuffix) ? (await File.ReadAllTextAsync(path + TypeSuffix, ct).ConfigureAwait(false)).Trim() : null;
        // blobs written before types were checked have no sidecar; name them by their bytes, never by guesswork
        return (bytes, type ?? BlobContentTypes.Sniff(bytes) ?? "application/octet-stream");
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        File.Delete(path + TypeSuffix);
        return Task.FromResult(true);
    }

    public string GetReadUrl(string key, TimeSpan ttl)
    {
        PathOf(key);
        return Signer.SignedUrl(key, ttl);
    }

    public async IAsyncEnumerable<BlobItemInfo> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var (key, file) in Files(prefix))
        {
            ct.ThrowIfCancellationRequested();
            string? type = null;
            if (File.Exists(file.FullName + TypeSuffix)) type = (await File.ReadAllTextAsync(file.FullName + TypeSuffix, ct).ConfigureAwait(false)).Trim();
            yield return new BlobItemInfo(key, file.Length, file.LastWriteTimeUtc, type);
        }
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset before, string? prefix = null, CancellationToken ct = default)
    {
        int deleted = 0;
        foreach (var (_, file) in Files(prefix))
        {
            ct.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc >= before.UtcDateTime) continue;
            try
            {
                file.Delete();
                File.Delete(file.FullName + TypeSuffix);
                deleted++;
            }
            catch (FileNotFoundException)
            {
            }
        }
        return Task.FromResult(deleted);
    }

    /// <summary>The blob files (not type sidecars or temporaries) whose key starts with the prefix.</summary>
    private IEnumerable<(string Key, FileInfo File)> Files(string? prefix)
    {
        // start at the deepest folder the prefix names, so a retention sweep of one camera does not walk them all
        var start = _root;
        if (!string.IsNullOrEmpty(prefix))
        {
            var slash = prefix.LastIndexOf('/');
            if (slash > 0)
            {
                start = PathOf(prefix[..slash]);
                if (!Directory.Exists(start)) yield break;
            }
        }
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.Name.EndsWith(TypeSuffix, StringComparison.Ordinal) || file.Name.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
            var key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (prefix is null || key.StartsWith(prefix, StringComparison.Ordinal)) yield return (key, file);
        }
    }

    private string PathOf(string key)
    {
        BlobKeys.Validate(key);
        if (key.EndsWith(TypeSuffix, StringComparison.Ordinal) || key.EndsWith(TempSuffix, StringComparison.Ordinal))
            throw new ArgumentException($"invalid blob key '{key}' (the local store keeps '{TypeSuffix}' and '{TempSuffix}' names for itself)");
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new ArgumentException($"invalid blob key '{key}'");
        return path;
    }
}
