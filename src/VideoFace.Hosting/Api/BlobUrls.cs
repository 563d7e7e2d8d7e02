using Microsoft.Extensions.Options;
using VideoFace.Storage;

namespace VideoFace.Hosting.Api;

/// <summary>Thumbnail URLs for API responses: the blob store's time-limited read URLs (signed local URLs or Azure SAS).</summary>
public sealed class BlobUrls(IBlobStore store, IOptions<BlobStoreOptions> options)
{
    /// <summary>A read URL valid for VideoFace:Blobs:ReadUrlTtl, or null without a key (or with one stored before keys were checked).</summary>
    public string? For(string? key)
    {
        if (key is null) return null;
        try
        {
            return store.GetReadUrl(key, options.Value.ReadUrlTtl);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
