namespace VideoFace.Storage;

/// <summary>
/// The content types the blob store accepts (thumbnails and keyframes are images) and the check that the bytes
/// really are what the content type says — so nothing served from /api/blobs can be HTML or script in disguise.
/// </summary>
public static class BlobContentTypes
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Webp = "image/webp";

    public static IReadOnlyList<string> Allowed { get; } = [Jpeg, Png, Webp];

    /// <summary>
    /// The normalised content type ("image/jpeg", lower case, parameters dropped) when it is allowed and the bytes'
    /// magic matches it; otherwise throws <see cref="BlobContentTypeException"/> saying why.
    /// </summary>
    public static string Check(string key, ReadOnlySpan<byte> content, string? contentType)
    {
        var type = Normalize(contentType);
        if (type is null || !Allowed.Contains(type))
            throw new BlobContentTypeException($"blob '{key}': content type '{contentType}' is not allowed (allowed: {string.Join(", ", Allowed)})");
        var actual = Sniff(content);
        if (actual != type)
            throw new BlobContentTypeException(
                $"blob '{key}': declared {type} but the bytes are {actual ?? "not a recognised image"} ({content.Length} bytes)");
        return type;
    }

    /// <summary>The image type the bytes start with (JPEG, PNG or WebP magic), or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Jpeg;
        if (b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return Webp;
        return null;
    }

    private static string? Normalize(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
        return type == "image/jpg" ? Jpeg : type;
    }
}

/// <summary>A blob was refused: its content type is not allowed or does not match its bytes.</summary>
public sealed class BlobContentTypeException(string message) : ArgumentException(message);
