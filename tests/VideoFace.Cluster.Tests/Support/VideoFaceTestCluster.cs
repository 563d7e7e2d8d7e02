using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using VideoFace.Abstractions;
using VideoFace.Hosting;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>
/// An <see cref="InProcessTestCluster"/> whose silos are composed exactly like a real VideoFace silo
/// (<see cref="SiloHostingExtensions.AddVideoFaceServices"/> + <see cref="OrleansProfileExtensions.ConfigureVideoFaceSilo"/>), with
/// per-silo configuration; only clustering and transport come from the test cluster.
/// </summary>
public static class VideoFaceTestCluster
{
    /// <summary>Starts <paramref name="silos"/> silos named Silo_0, Silo_1, …; <paramref name="settings"/> gives each silo's configuration keys.</summary>
    public static async Task<InProcessTestCluster> StartAsync(short silos, Func<string, IReadOnlyDictionary<string, string?>> settings)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = "videoface-tests";
        builder.ConfigureSiloHost((silo, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings(silo.SiloName));
            host.AddVideoFaceServices();
        });
        // The same values again, bound here because ConfigureSilo does not see the host builder's configuration.
        builder.ConfigureSilo((silo, siloBuilder) => siloBuilder.ConfigureVideoFaceSilo(HostOptions(settings(silo.SiloName)), clustering: false));
        builder.ConfigureClient(client => client.AddMemoryStreams(Names.StreamProvider));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Settings shared by test silos: the silo's name, a data folder, no HTTP API, the repository's models.</summary>
    public static Dictionary<string, string?> BaseSettings(string siloName, string dataDirectory, string devices) => TestSecurity.Allow(new()
    {
        ["VideoFace:SiloName"] = siloName,
        ["VideoFace:Devices"] = devices,
        ["VideoFace:DataDirectory"] = dataDirectory,
        ["VideoFace:HttpPort"] = "0",
        ["Vision:ModelsDirectory"] = TestData.Models,
    });

    private static VideoFaceHostOptions HostOptions(IReadOnlyDictionary<string, string?> settings)
    {
        var options = new VideoFaceHostOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(VideoFaceHostOptions.SectionName).Bind(options);
        return options;
    }
}
