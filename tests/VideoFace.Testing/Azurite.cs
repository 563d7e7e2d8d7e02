using System.Net.Sockets;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>Azurite (installed from npm by scripts/setup.sh) on loopback, in memory, on free ports.</summary>
public sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly ChildProcess _process;

    private Azurite(ChildProcess process, int tablePort)
    {
        _process = process;
        TablePort = tablePort;
    }

    public static string Executable => Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public string Tail() => _process.Tail();

    public static async Task<Azurite> StartAsync(string folder)
    {
        if (!File.Exists(Executable)) throw new FileNotFoundException("Azurite is missing; run scripts/setup.sh", Executable);
        var p = Ports.Free(3);
        string[] args =
        [
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", $"{p[0]}", "--queueHost", "127.0.0.1", "--queuePort", $"{p[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{p[2]}",
        ];
        var azurite = new Azurite(new ChildProcess("azurite", Executable, args, folder), p[2]);
        try
        {
            await WaitForPortAsync(azurite, p[2], TimeSpan.FromSeconds(30));
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
        return azurite;
    }

    private static async Task WaitForPortAsync(Azurite azurite, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (azurite._process.HasExited) throw new InvalidOperationException("Azurite exited\n" + azurite.Tail());
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
