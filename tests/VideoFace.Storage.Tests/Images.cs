namespace VideoFace.Storage.Tests;

/// <summary>Smallest byte strings that carry each format's magic (the store checks magic, not full decodability).</summary>
internal static class Images
{
    public static byte[] Jpeg(int seed = 0) => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, (byte)seed, 0xFF, 0xD9];

    public static byte[] Png() => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    public static byte[] Webp() => [.. "RIFF"u8, 0x0C, 0x00, 0x00, 0x00, .. "WEBPVP8 "u8];

    public static byte[] Text() => "<html><script>alert(1)</script></html>"u8.ToArray();
}
