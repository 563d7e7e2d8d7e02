using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using VideoFace.Abstractions;
using VideoFace.Grains.Cameras;
using VideoFace.Grains.Gallery;
using VideoFace.Grains.Inference;
using VideoFace.Grains.Placement;
using VideoFace.Grains.Sessions;
using VideoFace.Index;
using VideoFace.Index.Qdrant;
using VideoFace.Media;
using VideoFace.Media.Security;
using VideoFace.Orleans.Sqlite;
using VideoFace.Pipeline;
using VideoFace.Storage;
using VideoFace.Tracking;
using VideoFace.Vision;

namespace VideoFace.Hosting;

/// <summary>Wires a VideoFace silo: Orleans (per profile), device metadata and placement, the vision/media/tracking services.</summary>
public static class SiloHostingExtensions
{
    /// <summary>Configuration section bound to Orleans' <see cref="ClusterMembershipOptions"/> (failure detection).</summary>
    public const string OrleansMembershipSection = "Orleans:ClusterMembership";

    /// <summary>The silo with its services, Orleans configured from the "VideoFace" section (profile, ports, devices).</summary>
    public static VideoFaceHostOptions AddVideoFaceSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configureSilo = null)
    {
        var host = builder.AddVideoFaceServices();
        builder.UseOrleans(silo =>
        {
            silo.ConfigureVideoFaceSilo(host, clustering: true);
            configureSilo?.Invoke(silo);
        });
        return host;
    }

    /// <summary>
    /// Registers the non-Orleans services of a silo (inference devices, camera sessions, tracking, blobs, watchdog).
    /// Reads and validates every options section; a bad value stops the start with a message naming its key.
    /// </summary>
    public static VideoFaceHostOptions AddVideoFaceServices(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var host = Bind<VideoFaceHostOptions>(config, VideoFaceHostOptions.SectionName, o => o.Validate());
        var vision = Bind<VisionOptions>(config, VisionOptions.SectionName, o => o.Validate());
        var media = Bind<MediaOptions>(config, MediaOptions.SectionName, o => o.Validate());
        var tracking = Bind<TrackerOptions>(config, TrackerOptions.SectionName, o => o.Validate());
        var batching = Bind<InferenceBatcherOptions>(config, "Inference", o => o.Validate());
        var gallery = Bind<GalleryOptions>(config, GalleryOptions.SectionName, o => o.Validate());
        var blobs = Bind<BlobStoreOptions>(config, BlobStoreOptions.SectionName, o => o.Validate(host));
        var security = Bind<SecurityOptions>(config, SecurityOptions.SectionName, o => o.Validate());
        var indexOptions = new UsearchSightingIndexOptions();
        config.GetSection(UsearchSightingIndexOptions.SectionName).Bind(indexOptions);

        if (host.Profile == HostingProfile.Embedded) Directory.CreateDirectory(host.DataDirectory);
        var services = builder.Services;
        services.AddSingleton(Options.Create(host));
        services.AddSingleton(Options.Create(gallery));
        services.AddSingleton(Options.Create(new CameraGrainOptions { ReminderPeriod = host.CameraReminderPeriod }));
        services.AddSingleton(media);
        services.AddSingleton(security);
        services.AddSingleton(new UrlPolicy(security, [host.DataDirectory, blobs.LocalDirectory ?? ""]));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IFaceTrackerFactory>(sp => new FaceTrackerFactory(tracking, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IInferenceDevices>(sp => new InferenceDevices(host.EffectiveSiloName, host.DeviceList, vision, batching,
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddVideoFaceBlobs(host, blobs);
        var qdrant = new QdrantSightingIndexOptions();
        var qdrantSection = config.GetSection(QdrantSightingIndexOptions.SectionName);
        qdrantSection.Bind(qdrant);
        if (qdrantSection.Exists())
        {
            // Qdrant when configured (the cluster's shared vector store); its dimension follows the local embedder
            services.AddSingleton<ISightingIndex>(sp =>
            {
                if (host.DeviceList.Count > 0) qdrant.Dimension = sp.GetRequiredService<IInferenceDevices>().Get().Analyzer.EmbeddingDimension;
                var errors = qdrant.Validate();
                if (errors.Count > 0) throw new OptionsValidationException(QdrantSightingIndexOptions.SectionName, typeof(QdrantSightingIndexOptions), errors);
                return QdrantSightingIndex.OpenAsync(qdrant).GetAwaiter().GetResult();
            });
        }
        else if (host.Profile == HostingProfile.Embedded)
        {
            // the embedded vector index lives beside the grain state; its dimension follows the local embedder
            services.AddSingleton<ISightingIndex>(sp =>
            {
                if (string.IsNullOrEmpty(indexOptions.Directory)) indexOptions.Directory = Path.Combine(host.DataDirectory, "index");
                if (host.DeviceList.Count > 0) indexOptions.Dimension = sp.GetRequiredService<IInferenceDevices>().Get().Analyzer.EmbeddingDimension;
                var errors = indexOptions.Validate();
                if (errors.Count > 0) throw new OptionsValidationException(UsearchSightingIndexOptions.SectionName, typeof(UsearchSightingIndexOptions), errors);
                return UsearchSightingIndex.Open(indexOptions);
            });
        }
        services.AddSingleton<CameraSessionHost>();
        services.AddSingleton<ICameraSessionHost>(sp => sp.GetRequiredService<CameraSessionHost>());
        services.AddHostedService<CameraWatchdog>();
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        builder.AddVideoFaceAlerts();
        // models load at start, so a wrong model file stops the silo with the file's name instead of failing later
        if (host.DeviceList.Count > 0) services.AddHostedService<EagerServices>();
        return host;
    }

    /// <summary>
    /// Orleans settings of a VideoFace silo: device metadata and placement, streams, grain state and reminders per
    /// profile, and — unless a test cluster provides its own — clustering.
    /// </summary>
    public static ISiloBuilder ConfigureVideoFaceSilo(this ISiloBuilder silo, VideoFaceHostOptions host, bool clustering)
    {
        silo.Configure<SiloOptions>(o => o.SiloName = host.EffectiveSiloName);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [Names.DevicesMetadataKey] = string.Join(',', host.DeviceList),
            [Names.SiloNameMetadataKey] = host.EffectiveSiloName,
        });
        silo.Services.AddPlacementFilter<InferenceDevicePlacementFilterStrategy, InferenceDevicePlacementFilterDirector>(ServiceLifetime.Singleton);
        // Orleans does not read its membership settings from configuration; "Orleans:ClusterMembership:ProbeTimeout" etc.
        // tune silo-death detection, which bounds how fast a dead silo's cameras resume elsewhere
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(OrleansMembershipSection);
        silo.AddMemoryStreams(Names.StreamProvider);
        if (host.Profile == HostingProfile.Embedded)
        {
            var db = Path.Combine(host.DataDirectory, "state.db");
            if (clustering)
            {
                silo.Configure<ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
                silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
            }
            silo.AddSqliteGrainStorage(Names.Storage, (SqliteStorageOptions o) => o.DatabasePath = db);
            silo.AddSqliteGrainStorage("PubSubStore", (SqliteStorageOptions o) => o.DatabasePath = db);
            silo.UseSqliteReminderService((SqliteReminderOptions o) => o.DatabasePath = db);
        }
        else
        {
            var conn = host.AzureStorageConnectionString!;
            if (clustering)
            {
                silo.Configure<ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
                silo.ConfigureEndpoints(host.SiloPort, host.GatewayPort);
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(conn));
            }
            silo.AddAzureTableGrainStorage(Names.Storage, o => o.TableServiceClient = new TableServiceClient(conn));
            silo.AddAzureTableGrainStorage("PubSubStore", o => o.TableServiceClient = new TableServiceClient(conn));
            silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(conn));
        }
        return silo;
    }

    /// <summary>Binds a section and validates it now: the process fails at start, naming the bad key.</summary>
    private static T Bind<T>(IConfiguration config, string section, Func<T, IReadOnlyList<string>> validate) where T : new()
    {
        var value = new T();
        try
        {
            config.GetSection(section).Bind(value);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(section, typeof(T), [$"{section}: {ex.Message}"]);
        }
        var errors = validate(value);
        if (errors.Count > 0) throw new OptionsValidationException(section, typeof(T), errors);
        return value;
    }

    /// <summary>Resolves the inference devices at start (loading and checking models) and stops camera sessions at shutdown.</summary>
    private sealed class EagerServices(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<IInferenceDevices>();
            services.GetService<ISightingIndex>();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) =>
            await services.GetRequiredService<CameraSessionHost>().DisposeAsync();
    }
}
