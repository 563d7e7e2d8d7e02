using System.Text.RegularExpressions;

namespace VideoFace.Hosting;

/// <summary>Where thumbnails and keyframes are stored.</summary>
public enum BlobStoreProvider
{
    /// <summary>A folder: DATA/blobs (embedded) or a folder shared by all silos (cluster).</summary>
    Local,

    /// <summary>An Azure Blob Storage container (Azurite locally).</summary>
    Azure,
}

/// <summary>Blob store settings (configuration section "VideoFace:Blobs"; environment variables VideoFace__Blobs__Key).</summary>
public sealed partial class BlobStoreOptions
{
    public const string SectionName = "VideoFace:Blobs";

    /// <summary>Local or Azure; unset: Local in the embedded profile, Azure in the cluster profile.</summary>
    public BlobStoreProvider? Provider { get; set; }

    /// <summary>Folder of the local store: default DATA/blobs (embedded); required for Local in the cluster profile (a shared folder).</summary>
    public string? LocalDirectory { get; set; }

    /// <summary>Connection string of the Azure store (with the account key, to sign SAS URLs); default VideoFace:AzureStorageConnectionString.</summary>
    public string? AzureConnectionString { get; set; }

    /// <summary>Azure container (created on first use).</summary>
    public string Container { get; set; } = "videoface";

    /// <summary>
    /// Blob endpoint browsers reach, when it differs from the connection string's (Docker: "http://localhost:10000/devstoreaccount1"
    /// while the silo uses "http://azurite:10000/…"). SAS URLs are rewritten onto it.
    /// </summary>
    public string? PublicBlobEndpoint { get; set; }

    /// <summary>
    /// Base64 key (at least 32 bytes) signing local read URLs. Unset: generated into DATA/blob-signing-key (embedded)
    /// or "blob-signing-key" beside the shared folder (cluster, Local), so every silo signs alike.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long the thumbnail URLs the API hands out stay valid.</summary>
    public TimeSpan ReadUrlTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The provider this host uses.</summary>
    public BlobStoreProvider EffectiveProvider(VideoFaceHostOptions host) =>
        Provider ?? (host.Profile == HostingProfile.Cluster ? BlobStoreProvider.Azure : BlobStoreProvider.Local);

    /// <summary>The local store's folder, or null when the cluster profile leaves it unset.</summary>
    public string? EffectiveLocalDirectory(VideoFaceHostOptions host) =>
        !string.IsNullOrWhiteSpace(LocalDirectory) ? Path.GetFullPath(LocalDirectory)
        : host.Profile == HostingProfile.Embedded ? Path.Combine(host.DataDirectory, "blobs") : null;

    public string? EffectiveAzureConnectionString(VideoFaceHostOptions host) =>
        string.IsNullOrWhiteSpace(AzureConnectionString) ? host.AzureStorageConnectionString : AzureConnectionString;

    /// <summary>File holding the generated signing key, or null (no place shared by the silos: a per-process key).</summary>
    public string? SigningKeyFile(VideoFaceHostOptions host) =>
        host.Profile == HostingProfile.Embedded ? Path.Combine(host.DataDirectory, Storage.BlobUrlSigner.KeyFileName)
        : EffectiveProvider(host) == BlobStoreProvider.Local && EffectiveLocalDirectory(host) is { } dir
            ? Path.Combine(Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar)) ?? dir, Storage.BlobUrlSigner.KeyFileName)
            : null;

    public IReadOnlyList<string> Validate(VideoFaceHostOptions host)
    {
        var e = new List<string>();
        string K(string key) => $"{SectionName}:{key}";
        if (Provider is { } p && !Enum.IsDefined(p)) e.Add($"{K(nameof(Provider))} must be Local or Azure (was {p})");
        var provider = EffectiveProvider(host);
        if (provider == BlobStoreProvider.Local && EffectiveLocalDirectory(host) is null)
            e.Add($"{K(nameof(LocalDirectory))} is required for the Local provider in the Cluster profile (a folder every silo shares)");
        if (provider == BlobStoreProvider.Azure)
        {
            if (string.IsNullOrWhiteSpace(EffectiveAzureConnectionString(host)))
                e.Add($"{K(nameof(AzureConnectionString))} (or VideoFace:AzureStorageConnectionString) is required for the Azure provider");
            if (!ContainerName().IsMatch(Container) || Container.Contains("--", StringComparison.Ordinal))
                e.Add($"{K(nameof(Container))} must be 3-63 lower-case letters, digits and single '-' (was '{Container}')");
            if (PublicBlobEndpoint is not null && !(Uri.TryCreate(PublicBlobEndpoint, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
                e.Add($"{K(nameof(PublicBlobEndpoint))} must be an absolute http(s) URL (was '{PublicBlobEndpoint}')");
        }
        if (SigningKey is not null && DecodedSigningKey() is not { Length: >= Storage.BlobUrlSigner.KeyBytes })
            e.Add($"{K(nameof(SigningKey))} must be base64 of at least {Storage.BlobUrlSigner.KeyBytes} bytes");
        if (ReadUrlTtl <= TimeSpan.Zero || ReadUrlTtl > TimeSpan.FromDays(7))
            e.Add($"{K(nameof(ReadUrlTtl))} must be more than 0 and at most 7 days (was {ReadUrlTtl})");
        return e;
    }

    public byte[]? DecodedSigningKey()
    {
        try
        {
            return SigningKey is null ? null : Convert.FromBase64String(SigningKey.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$")]
    private static partial Regex ContainerName();
}
