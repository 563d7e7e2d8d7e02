using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VideoFace.Storage;

/// <summary>
/// Time-limited read URLs for blobs served by the API: "/api/blobs/{key}?exp={unix seconds}&amp;sig={HMAC-SHA256(key \n exp)}",
/// so a thumbnail URL works in an &lt;img&gt; tag without an API key, only for that key and only until it expires.
/// </summary>
public sealed class BlobUrlSigner
{
    /// <summary>Path the API serves blobs under.</summary>
    public const string RoutePrefix = "/api/blobs/";

    /// <summary>Default file name of the generated key (in the data folder).</summary>
    public const string KeyFileName = "blob-signing-key";

    public const int KeyBytes = 32;

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public BlobUrlSigner(ReadOnlySpan<byte> key, TimeProvider? time = null)
    {
        if (key.Length < KeyBytes) throw new ArgumentException($"the blob signing key needs at least {KeyBytes} bytes (has {key.Length})", nameof(key));
        _key = key.ToArray();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A signer with a random key: its URLs stop working when the process ends.</summary>
    public static BlobUrlSigner Ephemeral(TimeProvider? time = null) => new(RandomNumberGenerator.GetBytes(KeyBytes), time);

    /// <summary>
    /// The key in <paramref name="path"/>, created there (32 random bytes, owner-only) when missing. Silos sharing a
    /// folder race safely: the first file written wins and everyone reads it.
    /// </summary>
    public static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path)) return ReadKey(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllBytes(tmp, RandomNumberGenerator.GetBytes(KeyBytes));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp);
        }
        return ReadKey(path);
    }

    /// <summary>The signature of <paramref name="key"/> valid until <paramref name="expiresUnixSeconds"/> (base64url).</summary>
    public string Sign(string key, long expiresUnixSeconds) => Base64Url(Mac(key, expiresUnixSeconds));

    /// <summary>The relative read URL of <paramref name="key"/>, valid for <paramref name="ttl"/> from now.</summary>
    public string SignedUrl(string key, TimeSpan ttl)
    {
        BlobKeys.Validate(key);
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a read URL needs a positive lifetime");
        var exp = (_time.GetUtcNow() + ttl).ToUnixTimeSeconds();
        return $"{RoutePrefix}{key}?exp={exp.ToString(CultureInfo.InvariantCulture)}&sig={Sign(key, exp)}";
    }

    /// <summary>True when <paramref name="sig"/> signs <paramref name="key"/> with <paramref name="exp"/> and exp has not passed (constant-time compare).</summary>
    public bool Verify(string key, string? exp, string? sig)
    {
        if (string.IsNullOrEmpty(sig) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return false;
        if (_time.GetUtcNow().ToUnixTimeSeconds() >= expires) return false;
        byte[] presented;
        try
        {
            presented = FromBase64Url(sig);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, Mac(key, expires));
    }

    private byte[] Mac(string key, long expires) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(key + "\n" + expires.ToString(CultureInfo.InvariantCulture)));

    private static byte[] ReadKey(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < KeyBytes) throw new InvalidOperationException($"blob signing key file '{path}' holds {bytes.Length} bytes; it needs {KeyBytes} (delete it to regenerate)");
        return bytes;
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] FromBase64Url(string s) => System.Buffers.Text.Base64Url.DecodeFromChars(s);
}
