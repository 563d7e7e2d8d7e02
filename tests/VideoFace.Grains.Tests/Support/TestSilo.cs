using Orleans.TestingHost;

namespace VideoFace.Grains.Tests.Support;

/// <summary>
/// One silo (or a few sharing one data folder) composed like a real one (embedded profile: SQLite grain state, the vector index and blob store in a fresh
/// data folder) in an in-process test cluster. Each test starts its own, so no test sees another's gallery; disposing
/// stops it and deletes the folder.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly string _data;

    private TestSilo(InProcessTestCluster cluster, string data)
    {
        Cluster = cluster;
        _data = data;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The silo's data folder (grain state, index, blobs).</summary>
    public string DataDirectory => _data;

    public IClusterClient Client => Cluster.Client;

    /// <summary>The silo's services (its grains' singletons: index, blob store, track publisher, …).</summary>
    public IServiceProvider Services => Cluster.Silos[0].ServiceProvider;

    /// <summary>The services of each silo, in start order.</summary>
    public IReadOnlyList<IServiceProvider> SiloServices => Cluster.Silos.Select(s => s.ServiceProvider).ToList();

    /// <summary>
    /// Starts a silo (or <paramref name="silos"/> of them) whose data lives in a new folder named after
    /// <paramref name="name"/>; <paramref name="devices"/> "cpu" loads the models; <paramref name="settings"/> adds or
    /// overrides configuration keys.
    /// </summary>
    public static async Task<TestSilo> StartAsync(string name, string devices = "", IReadOnlyDictionary<string, string?>? settings = null, short silos = 1)
    {
        var data = TestVideos.TempFolder(name);
        try
        {
            return new TestSilo(await VideoFaceTestCluster.StartAsync(silos, silo =>
            {
                var all = VideoFaceTestCluster.BaseSettings(silo, data, devices);
                foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
                return all;
            }), data);
        }
        catch
        {
            DeleteFolder(data);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        DeleteFolder(_data);
    }

    private static void DeleteFolder(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
