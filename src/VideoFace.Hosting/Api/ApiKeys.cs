using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VideoFace.Hosting.Api;

/// <summary>What a key may do: a viewer reads (search, people, events, alerts, previews, blobs); an admin also changes things.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApiRole>))]
public enum ApiRole
{
    Viewer = 1,
    Admin = 2,
}

/// <summary>The key a request presented: its id and role.</summary>
public sealed record ApiKeyMatch(string Id, ApiRole Role);

/// <summary>A stored key: only its SHA-256 hash is kept.</summary>
public sealed record StoredApiKey(string Id, ApiRole Role, string? Name, string Sha256, DateTimeOffset CreatedAt);

/// <summary>
/// The API keys this host accepts. Admin keys: the configured ones (VideoFace:ApiKeys) and, in the embedded profile, the
/// key generated on first start into DATA/api-key (owner-only), which the CLI on the same machine reads itself. Further
/// keys of either role are added through the API (<c>videoface keys add</c>) and kept hashed in DATA/api-keys.json;
/// the file is re-read when it changes, so hosts sharing a data folder agree. Every comparison is SHA-256 then
/// constant-time.
/// </summary>
public sealed class ApiKeys
{
    public const string FileName = "api-key";
    public const string StoreFileName = "api-keys.json";
    public const string HeaderName = "X-Api-Key";

    private static readonly JsonSerializerOptions StoreJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly (string Id, byte[] Hash)[] _fixed;
    private readonly string? _storePath;
    private readonly Lock _lock = new();
    private List<StoredApiKey> _stored = [];
    private DateTime _storeStamp = DateTime.MinValue;

    /// <summary>Admin keys <paramref name="adminKeys"/> (id, key); stored keys in <paramref name="storePath"/> when given.</summary>
    public ApiKeys(IEnumerable<(string Id, string Key)> adminKeys, string? storePath = null)
    {
        _fixed = adminKeys.Where(k => k.Key.Length > 0).Select(k => (k.Id, Hash(k.Key))).ToArray();
        _storePath = storePath;
    }

    /// <summary>Configured keys only (ids config-1, config-2, …).</summary>
    public ApiKeys(IEnumerable<string> keys) : this(keys.Select((k, i) => ($"config-{i + 1}", k))) { }

    /// <summary>False when no key is configured: the API is then open (only allowed on loopback; see <see cref="VideoFaceHostOptions"/>).</summary>
    public bool Enabled => _fixed.Length > 0 || Stored().Count > 0;

    /// <summary>Whether keys can be added here (a data folder holds them).</summary>
    public bool CanStore => _storePath is not null && _fixed.Length > 0;

    /// <summary>The key's id and role, or null when it is not a key of this host.</summary>
    public ApiKeyMatch? Find(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate)) return null;
        var h = Hash(candidate);
        ApiKeyMatch? found = null;
        // every key is compared, so the time taken does not say which one matched
        foreach (var (id, hash) in _fixed)
            if (CryptographicOperations.FixedTimeEquals(h, hash)) found ??= new ApiKeyMatch(id, ApiRole.Admin);
        foreach (var k in Stored())
            if (CryptographicOperations.FixedTimeEquals(h, Convert.FromHexString(k.Sha256))) found ??= new ApiKeyMatch(k.Id, k.Role);
        return found;
    }

    /// <summary>True for any key of this host.</summary>
    public bool IsValid(string? candidate) => Find(candidate) is not null;

    /// <summary>Every key's public facts: the fixed admin keys first, then the stored ones.</summary>
    public IReadOnlyList<(string Id, ApiRole Role, string? Name, DateTimeOffset? CreatedAt, string Source)> List() =>
        _fixed.Select(f => (f.Id, ApiRole.Admin, (string?)null, (DateTimeOffset?)null, f.Id == "local" ? "data-folder" : "configuration"))
            .Concat(Stored().Select(k => (k.Id, k.Role, k.Name, (DateTimeOffset?)k.CreatedAt, "added")))
            .ToList();

    /// <summary>Makes a key of <paramref name="role"/>, stores its hash and returns it (the only time it is seen).</summary>
    public (StoredApiKey Entry, string Key) Add(ApiRole role, string? name)
    {
        if (!CanStore) throw new BadInputException("this host keeps no added keys (it runs without a data folder or without keys)");
        var key = "vf_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var entry = new StoredApiKey("k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), role, name,
            Convert.ToHexStringLower(Hash(key)), DateTimeOffset.UtcNow);
        lock (_lock) Save([.. Stored(), entry]);
        return (entry, key);
    }

    /// <summary>Removes an added key; false when there is none with that id (the fixed admin keys cannot be revoked here).</summary>
    public bool Revoke(string id)
    {
        if (_storePath is null) return false;
        lock (_lock)
        {
            var keys = Stored();
            var kept = keys.Where(k => k.Id != id).ToList();
            if (kept.Count == keys.Count) return false;
            Save(kept);
            return true;
        }
    }

    /// <summary>Whether <paramref name="id"/> is one of the fixed admin keys (configuration or the data folder's file).</summary>
    public bool IsFixed(string id) => _fixed.Any(f => f.Id == id);

    /// <summary>The embedded profile's local key: read from DATA/api-key, created there on first start.</summary>
    public static string LocalKey(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Directory.CreateDirectory(dataDirectory);
        WriteOwnerOnly(path, key);
        return key;
    }

    private List<StoredApiKey> Stored()
    {
        if (_storePath is null) return [];
        lock (_lock)
        {
            var stamp = File.Exists(_storePath) ? File.GetLastWriteTimeUtc(_storePath) : DateTime.MinValue;
            if (stamp != _storeStamp)
            {
                _stored = stamp == DateTime.MinValue ? [] : JsonSerializer.Deserialize<List<StoredApiKey>>(File.ReadAllText(_storePath), StoreJson) ?? [];
                _storeStamp = stamp;
            }
            return _stored;
        }
    }

    private void Save(List<StoredApiKey> keys)
    {
        WriteOwnerOnly(_storePath!, JsonSerializer.Serialize(keys, StoreJson), overwrite: true);
        _stored = keys;
        _storeStamp = File.GetLastWriteTimeUtc(_storePath!);
    }

    private static void WriteOwnerOnly(string path, string text, bool overwrite = false)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite);
    }

    private static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}
