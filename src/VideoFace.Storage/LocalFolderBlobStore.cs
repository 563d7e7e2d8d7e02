namespace VideoFace.Storage;

/// <summary>Blobs as files under a root folder (the embedded default); writes are atomic (temporary file, then rename).</summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private readonly string _root;

    public LocalFolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        await File.WriteAllBytesAsync(tmp, content.ToArray(), ct).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
        await File.WriteAllTextAsync(path + ".type", contentType, ct).ConfigureAwait(false);
    }

    public async Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        var type = File.Exists(path + ".type") ? await File.ReadAllTextAsync(path + ".type", ct).ConfigureAwait(false) : "application/octet-stream";
        return (await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), type);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        File.Delete(path + ".type");
        return Task.FromResult(true);
    }

    private string PathOf(string key)
    {
        BlobKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new ArgumentException($"invalid blob key '{key}'");
        return path;
    }
}
