using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Orleans.Sqlite;

namespace VideoFace.Hosting;

/// <summary>Orleans settings of a VideoFace silo per profile: metadata, placement, streams, clustering, grain state, reminders.</summary>
public static partial class OrleansProfileExtensions
{
    /// <summary>Configuration section bound to Orleans' <see cref="ClusterMembershipOptions"/> (failure detection).</summary>
    public const string OrleansMembershipSection = "Orleans:ClusterMembership";

    /// <summary>
    /// Device metadata and placement; streams, grain state and reminders per profile; and — unless a test cluster
    /// provides its own — clustering.
    /// </summary>
    public static ISiloBuilder ConfigureVideoFaceSilo(this ISiloBuilder silo, VideoFaceHostOptions host, bool clustering)
    {
        silo.Configure<SiloOptions>(o => o.SiloName = host.EffectiveSiloName);
        // cameras are kept running by their reminders (CameraGrain), which tick faster than Orleans' 1-minute floor
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(
            o.MinimumReminderPeriod.Ticks, host.CameraReminderPeriod.Ticks)));
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [Names.DevicesMetadataKey] = string.Join(',', host.DeviceList),
            [Names.SiloNameMetadataKey] = host.EffectiveSiloName,
        });
        silo.Services.AddPlacementFilter<InferenceDevicePlacementFilterStrategy, InferenceDevicePlacementFilterDirector>(ServiceLifetime.Singleton);
        // Orleans does not read its membership settings from configuration; "Orleans:ClusterMembership:ProbeTimeout" etc.
        // tune silo-death detection, which bounds how fast a dead silo's cameras resume elsewhere
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(OrleansMembershipSection);
        // grain calls carry the caller's Activity, so a track's trace continues into the gallery, identity and alert grains
        silo.AddActivityPropagation();
        if (clustering) silo.Configure<ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
        return host.Profile == HostingProfile.Embedded ? silo.UseEmbeddedProfile(host, clustering) : silo.UseClusterProfile(host, clustering);
    }

    /// <summary>
    /// Mutual TLS on every silo-to-silo connection (both directions) and on the gateway port, with <paramref name="tls"/>'s
    /// certificate and trust (<see cref="SiloTls"/>). A peer that presents no certificate or an untrusted one is dropped
    /// during the handshake, so it can neither join the cluster nor call a grain.
    /// </summary>
    public static ISiloBuilder UseVideoFaceTls(this ISiloBuilder silo, SiloTls tls)
    {
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((connections, loggers) =>
        {
            var logger = loggers.CreateLogger<SiloTls>();
            var options = tls.ToTlsOptions(logger);
            connections.ConfigureSiloInboundConnection(c => c.UseServerTls(options));
            connections.ConfigureGatewayInboundConnection(c => c.UseServerTls(options));
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(options));
            tls.LogOn(logger);
        });
        return silo;
    }

    /// <summary>Localhost clustering; in-memory streams; grain state, pub-sub state and reminders in DATA/state.db (SQLite).</summary>
    private static ISiloBuilder UseEmbeddedProfile(this ISiloBuilder silo, VideoFaceHostOptions host, bool clustering)
    {
        var db = Path.Combine(host.DataDirectory, "state.db");
        if (clustering) silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
        silo.AddMemoryStreams(Names.StreamProvider);
        silo.AddSqliteGrainStorage(Names.Storage, (SqliteStorageOptions o) => o.DatabasePath = db);
        silo.AddSqliteGrainStorage("PubSubStore", (SqliteStorageOptions o) => o.DatabasePath = db);
        silo.UseSqliteReminderService((SqliteReminderOptions o) => o.DatabasePath = db);
        return silo;
    }

    /// <summary>Azure Table clustering, grain state, pub-sub state and reminders; Azure Queue streams (Azurite locally).</summary>
    private static ISiloBuilder UseClusterProfile(this ISiloBuilder silo, VideoFaceHostOptions host, bool clustering)
    {
        var conn = host.AzureStorageConnectionString!;
        if (clustering)
        {
            silo.ConfigureEndpoints(host.SiloPort, host.GatewayPort);
            silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(conn));
        }
        silo.AddAzureTableGrainStorage(Names.Storage, o => o.TableServiceClient = new TableServiceClient(conn));
        silo.AddAzureTableGrainStorage("PubSubStore", o => o.TableServiceClient = new TableServiceClient(conn));
        silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(conn));
        silo.AddAzureQueueStreams(Names.StreamProvider, (SiloAzureQueueStreamConfigurator streams) =>
            streams.ConfigureAzureQueue(ob => ob.Configure(o =>
            {
                o.QueueServiceClient = new QueueServiceClient(conn);
                o.QueueNames = StreamQueueNames(host.ServiceId);
            })));
        return silo;
    }

    /// <summary>Azure queues the cluster's streams are partitioned over; every silo of one service must name the same ones.</summary>
    public const int StreamQueueCount = 4;

    /// <summary>
    /// The stream queues of a service: "&lt;service&gt;-streams-0" … (Azure queue names are 3–63 lowercase letters, digits
    /// and single hyphens, so the service id is reduced to those).
    /// </summary>
    public static List<string> StreamQueueNames(string serviceId)
    {
        var prefix = QueueNameUnsafe().Replace(serviceId.ToLowerInvariant(), "-").Trim('-');
        if (prefix.Length > 40) prefix = prefix[..40].TrimEnd('-');
        if (prefix.Length == 0) prefix = "videoface";
        return Enumerable.Range(0, StreamQueueCount).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}-streams-{i}")).ToList();
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex QueueNameUnsafe();
}
