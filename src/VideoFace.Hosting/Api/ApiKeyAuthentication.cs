using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace VideoFace.Hosting.Api;

/// <summary>
/// The API keys this host accepts: configured keys (VideoFace:ApiKeys), and in the embedded profile a key generated
/// on first start into DATA/api-key (readable by the owner only), which the CLI on the same machine reads itself.
/// </summary>
public sealed class ApiKeys
{
    public const string FileName = "api-key";
    public const string HeaderName = "X-Api-Key";

    private readonly byte[][] _hashes;

    public ApiKeys(IEnumerable<string> keys) => _hashes = keys.Where(k => k.Length > 0).Select(Hash).ToArray();

    /// <summary>False when no key is configured: the API is then open (only allowed on loopback; see <see cref="VideoFaceHostOptions"/>).</summary>
    public bool Enabled => _hashes.Length > 0;

    /// <summary>Compares in constant time (hashes first, so key lengths do not leak either).</summary>
    public bool IsValid(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate)) return false;
        var h = Hash(candidate);
        bool ok = false;
        foreach (var k in _hashes) ok |= CryptographicOperations.FixedTimeEquals(h, k);
        return ok;
    }

    /// <summary>The embedded profile's local key: read from DATA/api-key, created there on first start.</summary>
    public static string LocalKey(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Directory.CreateDirectory(dataDirectory);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, key);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: false);
        return key;
    }

    private static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}

/// <summary>Requires a valid API key on /api/* (header X-Api-Key, "Authorization: Bearer KEY", or ?api_key= for EventSource).</summary>
public static class ApiKeyAuthentication
{
    public static IApplicationBuilder UseVideoFaceApiKeys(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        var path = context.Request.Path;
        if (!keys.Enabled || !path.StartsWithSegments("/api") || IsSignedBlobRequest(context))
        {
            await next(context);
            return;
        }
        string? presented = context.Request.Headers[ApiKeys.HeaderName].FirstOrDefault();
        var auth = context.Request.Headers.Authorization.FirstOrDefault();
        if (presented is null && auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = auth[7..].Trim();
        presented ??= context.Request.Query["api_key"].FirstOrDefault();
        if (keys.IsValid(presented))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new
        {
            error = presented is null
                ? $"an API key is required: send the {ApiKeys.HeaderName} header (the embedded server's key is in its data folder, file '{ApiKeys.FileName}')"
                : "the API key is not valid",
        });
    });

    /// <summary>Blob reads carrying a signature are authorised by it instead of a key (so thumbnails work in &lt;img&gt;).</summary>
    private static bool IsSignedBlobRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/blobs") && context.Request.Query.ContainsKey("sig");
}
