using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;
using VideoFace.Hosting.Health;
using Xunit.Abstractions;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// Two Cluster-profile silo processes on Azurite secure their links with mutual TLS (VideoFace:SiloTls, one
/// self-signed certificate made here, its password in a file): they form one cluster and serve each other's data; a
/// silo with another certificate is refused at the handshake and never becomes a member.
/// </summary>
public sealed class SiloTlsTests(SiloTlsTests.TlsCluster cluster, ITestOutputHelper output) : IClassFixture<SiloTlsTests.TlsCluster>
{
    [Fact]
    public async Task ClusterProfile_SilosSharingACertificate_FormOneClusterOverTlsAndServe()
    {
        foreach (var name in TlsCluster.Members)
        {
            var silo = await cluster.SiloCheckAsync(name);
            Assert.Equal("Healthy", silo.GetProperty("status").GetString());
            Assert.Equal(2, silo.GetProperty("data").GetProperty("active_silos").GetInt32());
            Assert.Contains(cluster.Silos[name].Process.Output,
                l => l.Contains("Silo TLS on", StringComparison.Ordinal) && l.Contains(SiloTls.Fingerprint(cluster.Certificate), StringComparison.Ordinal));
        }

        // a rule added through s1 is read through s2: the alert-rule grain lives on one of them, so one silo calls the other
        await cluster.Silos["s1"].Api.PostJsonAsync("/api/alerts/rules", new { id = "tls-rule", kind = "unknown" });
        var rule = await cluster.Silos["s2"].Api.GetAsync("/api/alerts/rules/tls-rule");
        Assert.Equal("tls-rule", rule.GetProperty("id").GetString());

        // the silo port itself speaks TLS with the configured certificate
        var presented = await HandshakeAsync(cluster.Silos["s1"].SiloPort, cluster.ClientCertificate());
        Assert.Equal(SiloTls.Fingerprint(cluster.Certificate), presented);
        output.WriteLine($"s1's silo port presented SHA-256 {presented}");
    }

    [Fact]
    public async Task ClusterProfile_SiloWithAnotherCertificate_IsRefusedAndNeverJoins()
    {
        var rogue = cluster.StartRogue("rogue", tls: true);
        var rogueFingerprint = SiloTls.Fingerprint(cluster.RogueCertificate);
        await AssertNeverJoinsAsync(rogue);
        // a member logged why: the rogue's certificate was refused at the handshake
        Assert.Contains(TlsCluster.Members.SelectMany(m => cluster.Silos[m].Process.Output),
            l => l.Contains("refused a peer certificate", StringComparison.Ordinal) && l.Contains(rogueFingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClusterProfile_SiloWithoutTls_IsRefusedAndNeverJoins() => await AssertNeverJoinsAsync(cluster.StartRogue("plain", tls: false));

    /// <summary>
    /// The silo cannot reach the members, so its join fails and its process ends; until then the members keep counting
    /// two active silos (a third would fail the assertion at once).
    /// </summary>
    private async Task AssertNeverJoinsAsync(ChildProcess rogue)
    {
        await cluster.PollAsync(async () =>
        {
            foreach (var name in TlsCluster.Members)
                Assert.Equal(2, (await cluster.SiloCheckAsync(name)).GetProperty("data").GetProperty("active_silos").GetInt32());
            return rogue.HasExited;
        }, TimeSpan.FromSeconds(120), $"{rogue.Name} gives up joining");
        // why it ended, without the stack frames
        output.WriteLine(string.Join('\n', rogue.Output.Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(30)));
        foreach (var name in TlsCluster.Members)
            Assert.Equal(2, (await cluster.SiloCheckAsync(name)).GetProperty("data").GetProperty("active_silos").GetInt32());
    }

    /// <summary>A TLS client handshake on a silo port with <paramref name="clientCertificate"/>; returns the fingerprint the silo presented.</summary>
    private static async Task<string> HandshakeAsync(int port, X509Certificate2 clientCertificate)
    {
        using var tcp = await ConnectAsync(port);
        string? presented = null;
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [clientCertificate],
            // record what the silo presents; the assertion compares it with the configured certificate
            RemoteCertificateValidationCallback = (_, cert, _, _) => (presented = cert is null ? null : SiloTls.Fingerprint(new X509Certificate2(cert))) is not null,
        });
        return presented!;
    }

    /// <summary>
    /// A TCP connection to a silo port: Orleans listens on the machine's advertised address (its first non-loopback
    /// IPv4 address), not on loopback, so each local address is tried.
    /// </summary>
    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .OrderBy(IPAddress.IsLoopback);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var tcp = new TcpClient();
            try
            {
                await tcp.ConnectAsync(address, port);
                return tcp;
            }
            catch (SocketException ex)
            {
                tcp.Dispose();
                last = ex;
            }
        }
        throw new InvalidOperationException($"nothing listens on port {port} on this machine's addresses", last);
    }

    /// <summary>Azurite and two TLS silo processes (s1, s2) sharing one self-signed certificate, started once for the class.</summary>
    public sealed class TlsCluster : IAsyncLifetime
    {
        public static readonly string[] Members = ["s1", "s2"];
        private const string Password = "silo-tls-test-password";
        private const string ApiKey = "silo-tls-test-key";
        private readonly string _folder = TestVideos.TempFolder("silotls");
        private readonly List<ChildProcess> _extra = [];
        private Azurite? _azurite;
        private string _pfx = "";
        private string _roguePfx = "";
        private string _passwordFile = "";

        public Dictionary<string, (ChildProcess Process, Api Api, int SiloPort)> Silos { get; } = [];

        public X509Certificate2 Certificate { get; private set; } = null!;

        public X509Certificate2 RogueCertificate { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            try
            {
                (_pfx, Certificate) = TestCertificates.SiloPfx(_folder, "cluster", Password);
                (_roguePfx, RogueCertificate) = TestCertificates.SiloPfx(_folder, "rogue", Password);
                _passwordFile = Path.Combine(_folder, "password");
                await File.WriteAllTextAsync(_passwordFile, Password + "\n");
                Directory.CreateDirectory(Path.Combine(_folder, "azurite"));
                _azurite = await Azurite.StartAsync(Path.Combine(_folder, "azurite"));
                foreach (var name in Members) Silos[name] = Start(name, _pfx, []);
                foreach (var name in Members)
                    await PollAsync(async () => (await SiloCheckAsync(name)).GetProperty("data").GetProperty("active_silos").GetInt32() == 2,
                        TimeSpan.FromSeconds(120), $"silo {name} sees two active silos");
            }
            catch
            {
                await DisposeAsync();
                throw;
            }
        }

        /// <summary>The "silo" entry of a silo's /health/ready: its membership status and the active silo count.</summary>
        public async Task<JsonElement> SiloCheckAsync(string name) =>
            (await Silos[name].Api.GetAsync(HealthCheckExtensions.ReadyPath)).GetProperty("checks").GetProperty("silo");

        /// <summary>The cluster certificate with its key, loaded from the file the silos read.</summary>
        public X509Certificate2 ClientCertificate() => X509CertificateLoader.LoadPkcs12FromFile(_pfx, Password);

        /// <summary>A third silo with a different self-signed certificate (or no TLS at all), giving up joining after 20 s.</summary>
        public ChildProcess StartRogue(string name, bool tls)
        {
            var (process, api, _) = Start(name, tls ? _roguePfx : null, ["--Orleans:ClusterMembership:MaxJoinAttemptTime=00:00:20"]);
            api.Dispose();
            _extra.Add(process);
            return process;
        }

        private (ChildProcess, Api, int) Start(string name, string? pfx, string[] extra)
        {
            var p = Ports.Free(3);
            var inv = CultureInfo.InvariantCulture;
            string[] args =
            [
                EmbeddedSilo.Dll,
                "--VideoFace:Profile=Cluster",
                $"--VideoFace:AzureStorageConnectionString={_azurite!.ConnectionString}",
                $"--VideoFace:SiloName={name}",
                string.Create(inv, $"--VideoFace:SiloPort={p[0]}"),
                string.Create(inv, $"--VideoFace:GatewayPort={p[1]}"),
                string.Create(inv, $"--VideoFace:HttpPort={p[2]}"),
                "--VideoFace:Devices=", // API-only silos: this test needs no inference
                $"--VideoFace:ApiKeys:0={ApiKey}",
                .. pfx is null ? Array.Empty<string>() : [$"--VideoFace:SiloTls:CertificatePath={pfx}", $"--VideoFace:SiloTls:CertificatePasswordFile={_passwordFile}"],
                $"--Vision:ModelsDirectory={TestData.Models}",
                "--Orleans:ClusterMembership:ProbeTimeout=00:00:02",
                "--Orleans:ClusterMembership:NumMissedProbesLimit=2",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:VideoFace=Information",
                .. extra,
            ];
            var process = new ChildProcess(name, "dotnet", args, _folder);
            return (process, new Api(new Uri($"http://127.0.0.1:{p[2]}"), ApiKey), p[0]);
        }

        /// <summary>Polls with a deadline; a timeout names the silos' last output.</summary>
        public Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string because) =>
            Poll.UntilAsync(condition, timeout, because,
                transient: ex => ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException,
                describe: () => string.Join('\n', Silos.Values.Select(s => s.Process).Concat(_extra).Select(p => p.Tail(25))),
                interval: TimeSpan.FromMilliseconds(500));

        public async Task DisposeAsync()
        {
            var errors = new List<Exception>();
            foreach (var process in Silos.Values.Select(s => s.Process).Concat(_extra))
            {
                try { await process.DisposeAsync(); }
                catch (Exception ex) { errors.Add(ex); }
            }
            foreach (var (_, api, _) in Silos.Values) api.Dispose();
            if (_azurite is not null) await _azurite.DisposeAsync();
            foreach (var name in Members.Concat(["rogue", "plain"]))
            {
                // the Cluster profile keeps thumbnails in a per-silo temp folder
                try { Directory.Delete(Path.Combine(Path.GetTempPath(), "videoface-" + name), recursive: true); }
                catch (IOException) { }
            }
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { }
            if (errors.Count > 0) throw new AggregateException("cleaning up the silo TLS test", errors);
        }
    }
}
