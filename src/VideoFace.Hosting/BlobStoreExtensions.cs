using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoFace.Hosting.Api;
using VideoFace.Storage;
using VideoFace.Storage.Azure;

namespace VideoFace.Hosting;

/// <summary>Registers the blob store chosen by "VideoFace:Blobs" (local folder or Azure), its URL signer and the API's URL helper.</summary>
public static class BlobStoreExtensions
{
    /// <summary>Builds the store now (no I/O), so a bad setting fails at start with the key's name.</summary>
    public static IServiceCollection AddVideoFaceBlobs(this IServiceCollection services, VideoFaceHostOptions host, BlobStoreOptions blobs)
    {
        services.AddSingleton(Options.Create(blobs));
        services.AddSingleton(_ =>
        {
            if (blobs.DecodedSigningKey() is { } configured) return new BlobUrlSigner(configured);
            return blobs.SigningKeyFile(host) is { } file ? new BlobUrlSigner(BlobUrlSigner.LoadOrCreateKey(file)) : BlobUrlSigner.Ephemeral();
        });
        if (blobs.EffectiveProvider(host) == BlobStoreProvider.Azure)
        {
            AzureBlobStore store;
            try
            {
                store = new AzureBlobStore(blobs.EffectiveAzureConnectionString(host)!, blobs.Container,
                    blobs.PublicBlobEndpoint is null ? null : new Uri(blobs.PublicBlobEndpoint));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new OptionsValidationException(BlobStoreOptions.SectionName, typeof(BlobStoreOptions),
                    [$"{BlobStoreOptions.SectionName}:{nameof(BlobStoreOptions.AzureConnectionString)}: {ex.Message}"]);
            }
            services.AddSingleton<IBlobStore>(store);
        }
        else
        {
            var dir = blobs.EffectiveLocalDirectory(host)!;
            services.AddSingleton<IBlobStore>(sp => new LocalFolderBlobStore(dir, sp.GetRequiredService<BlobUrlSigner>()));
        }
        services.AddSingleton<BlobUrls>();
        return services;
    }
}
