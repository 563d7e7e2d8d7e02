namespace VideoFace.Storage;

/// <summary>Stores face thumbnails and keyframes by key (e.g. "thumbnails/cam1/track.jpg").</summary>
public interface IBlobStore
{
    /// <summary>
    /// Stores (or replaces) a blob. The content type must be an allowed image type that matches the bytes
    /// (see <see cref="BlobContentTypes"/>); otherwise <see cref="BlobContentTypeException"/>.
    /// </summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default);

    /// <summary>The blob's bytes and content type, or null when absent.</summary>
    Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default);

    Task<bool> DeleteAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// A URL that reads the blob without other credentials until <paramref name="ttl"/> has passed: a signed
    /// "/api/blobs/…?exp=…&amp;sig=…" URL for the local store, a read-only SAS URL for Azure.
    /// </summary>
    string GetReadUrl(string key, TimeSpan ttl);

    /// <summary>Blobs whose key starts with <paramref name="prefix"/> (all when null), in no particular order.</summary>
    IAsyncEnumerable<BlobItemInfo> ListAsync(string? prefix = null, CancellationToken ct = default);

    /// <summary>Retention: deletes the blobs (under <paramref name="prefix"/>) last written before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset before, string? prefix = null, CancellationToken ct = default);
}

/// <summary>One stored blob as listed.</summary>
public sealed record BlobItemInfo(string Key, long Size, DateTimeOffset LastModified, string? ContentType);

/// <summary>Blob keys: relative, forward-slash paths of safe characters, so a key can never escape the store.</summary>
public static class BlobKeys
{
    public static string Thumbnail(string cameraId, string trackId) => $"thumbnails/{Safe(cameraId)}/{Safe(trackId)}.jpg";

    /// <summary>The whole frame a track's best face came from (JPEG).</summary>
    public static string Keyframe(string cameraId, string trackId) => $"keyframes/{Safe(cameraId)}/{Safe(trackId)}.jpg";

    /// <summary>Throws when the key is not a plain relative path.</summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"invalid blob key '{key}'");
        if (key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')))
            throw new ArgumentException($"invalid character in blob key '{key}'");
        if (key.Length > 512) throw new ArgumentException($"blob key longer than 512 characters '{key[..40]}…'");
    }

    /// <summary>An id made safe for a key segment.</summary>
    public static string Safe(string id) =>
        new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
