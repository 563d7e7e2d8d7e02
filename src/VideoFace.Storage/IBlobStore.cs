namespace VideoFace.Storage;

/// <summary>Stores face thumbnails and keyframes by key (e.g. "thumbnails/cam1/track.jpg").</summary>
public interface IBlobStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct = default);

    /// <summary>The blob's bytes and content type, or null when absent.</summary>
    Task<(byte[] Content, string ContentType)?> GetAsync(string key, CancellationToken ct = default);

    Task<bool> DeleteAsync(string key, CancellationToken ct = default);
}

/// <summary>Blob keys: relative, forward-slash paths of safe characters, so a key can never escape the store.</summary>
public static class BlobKeys
{
    public static string Thumbnail(string cameraId, string trackId) => $"thumbnails/{Safe(cameraId)}/{Safe(trackId)}.jpg";

    /// <summary>Throws when the key is not a plain relative path.</summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"invalid blob key '{key}'");
        if (key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')))
            throw new ArgumentException($"invalid character in blob key '{key}'");
    }

    /// <summary>An id made safe for a key segment.</summary>
    public static string Safe(string id) =>
        new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
