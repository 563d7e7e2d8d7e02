using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VideoFace.Pipeline.Inference;
using VideoFace.Index;
using VideoFace.Index.Qdrant;
using VideoFace.Media.Security;

namespace VideoFace.Hosting;

/// <summary>Silo services that keep face data: the sighting index (embedded USearch or Qdrant), the blob store, retention.</summary>
public static class IndexStorageHostingExtensions
{
    /// <summary>Sections "VideoFace:Blobs", "VideoFace:Index" / "VideoFace:Qdrant", and the retention sweeper.</summary>
    public static IHostApplicationBuilder AddVideoFaceIndexAndStorage(this IHostApplicationBuilder builder, VideoFaceHostOptions host)
    {
        var services = builder.Services;
        var blobs = builder.AddValidatedOptions<BlobStoreOptions>(BlobStoreOptions.SectionName, o => o.Validate(host));
        services.AddVideoFaceBlobs(host, blobs);
        // the URL policy guards camera and webhook targets; the data and blob folders are never opened as cameras
        var security = builder.AddValidatedOptions<SecurityOptions>(SecurityOptions.SectionName, o => o.Validate());
        services.AddSingleton(security);
        services.AddSingleton(new UrlPolicy(security, [host.DataDirectory, blobs.LocalDirectory ?? ""]));

        if (builder.Configuration.GetSection(QdrantSightingIndexOptions.SectionName).Exists())
        {
            // Qdrant when configured (the cluster's shared vector store); its dimension follows the local embedder
            var qdrant = builder.AddValidatedOptions<QdrantSightingIndexOptions>(QdrantSightingIndexOptions.SectionName, o => o.Validate());
            services.AddSingleton<ISightingIndex>(sp =>
            {
                if (host.DeviceList.Count > 0) qdrant.Dimension = sp.GetRequiredService<IInferenceDevices>().Get().Analyzer.EmbeddingDimension;
                ThrowIfInvalid<QdrantSightingIndexOptions>(QdrantSightingIndexOptions.SectionName, qdrant.Validate());
                return QdrantSightingIndex.OpenAsync(qdrant).GetAwaiter().GetResult();
            });
        }
        else if (host.Profile == HostingProfile.Embedded)
        {
            // the embedded vector index lives beside the grain state; its dimension follows the local embedder
            var index = builder.AddValidatedOptions<UsearchSightingIndexOptions>(UsearchSightingIndexOptions.SectionName, o => o.Validate(),
                fill: o => { if (string.IsNullOrEmpty(o.Directory)) o.Directory = Path.Combine(host.DataDirectory, "index"); });
            services.AddSingleton<ISightingIndex>(sp =>
            {
                if (host.DeviceList.Count > 0) index.Dimension = sp.GetRequiredService<IInferenceDevices>().Get().Analyzer.EmbeddingDimension;
                ThrowIfInvalid<UsearchSightingIndexOptions>(UsearchSightingIndexOptions.SectionName, index.Validate());
                return UsearchSightingIndex.Open(index);
            });
        }
        services.AddSingleton<FaceDataEraser>();
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        return builder;
    }

    /// <summary>The dimension comes from the loaded embedder, so it is checked again once known.</summary>
    private static void ThrowIfInvalid<T>(string section, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0) throw new OptionsValidationException(section, typeof(T), errors);
    }
}
