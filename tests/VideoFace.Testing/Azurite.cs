using System.Net.Sockets;

namespace VideoFace.Testing;

/// <summary>Azurite (installed from npm by scripts/setup.sh) on loopback, in memory, on free ports: blob, queue and table.</summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public; it only opens this emulator).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ChildProcess _process;

    private Azurite(ChildProcess process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public static string Executable => Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");

    /// <summary>True when scripts/setup.sh has installed Azurite.</summary>
    public static bool IsInstalled => File.Exists(Executable);

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>Connection string with the account key and all three endpoints (blob, queue, table).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public string Tail() => _process.Tail();

    public static async Task<Azurite> StartAsync(string folder)
    {
        if (!IsInstalled) throw new FileNotFoundException("Azurite is missing; run scripts/setup.sh", Executable);
        Directory.CreateDirectory(folder);
        var p = Ports.Free(3);
        string[] args =
        [
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", $"{p[0]}", "--queueHost", "127.0.0.1", "--queuePort", $"{p[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{p[2]}",
        ];
        var azurite = new Azurite(new ChildProcess("azurite", Executable, args, folder), p[0], p[1], p[2]);
        try
        {
            foreach (var port in p) await WaitForPortAsync(azurite, port, TimeSpan.FromSeconds(30));
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
