using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Alerts.Tests;

/// <summary>With VideoFace:HttpsCertificatePath the embedded host serves its API over HTTPS (a self-signed certificate made here).</summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _folder = TestVideos.TempFolder("https");

    private (string Path, X509Certificate2 Certificate) MakeCertificate(string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=videoface-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, "server.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return (path, certificate);
    }

    private Dictionary<string, string?> Settings(int[] ports) => new()
    {
        ["VideoFace:DataDirectory"] = Path.Combine(_folder, "data"),
        ["VideoFace:Devices"] = "",
        ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
        ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
        ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
        ["Vision:ModelsDirectory"] = TestData.Models,
    };

    [Fact]
    public async Task Host_WithCertificate_ServesTheApiOverHttpsOnly()
    {
        var (path, certificate) = MakeCertificate("pfx-pw");
        var ports = Ports.Free(3);
        var settings = Settings(ports);
        settings["VideoFace:HttpsCertificatePath"] = path;
        settings["VideoFace:HttpsCertificatePassword"] = "pfx-pw";
        await using var app = VideoFaceHost.Build([], settings, b => b.Logging.ClearProviders());
        await app.StartAsync();
        var key = File.ReadAllText(Path.Combine(_folder, "data", "api-key")).Trim();

        string? seen = null;
        using var handler = new HttpClientHandler
        {
            // trust exactly the certificate made above (it is self-signed, so no store knows it)
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => (seen = cert?.Thumbprint) == certificate.Thumbprint,
        };
        using var https = new HttpClient(handler);
        https.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var r = await https.GetAsync($"https://127.0.0.1:{ports[2]}/api/cameras");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(certificate.Thumbprint, seen);

        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{ports[2]}/api/cameras"));
        await app.StopAsync();
    }

    [Fact]
    public void Host_WrongCertificatePasswordOrMissingFile_FailsAtStartNamingTheKey()
    {
        var (path, _) = MakeCertificate("right");
        var settings = Settings(Ports.Free(3));
        settings["VideoFace:HttpsCertificatePath"] = path;
        settings["VideoFace:HttpsCertificatePassword"] = "wrong";
        var ex = Assert.Throws<OptionsValidationException>(() => VideoFaceHost.Build([], settings, b => b.Logging.ClearProviders()));
        Assert.Contains("VideoFace:HttpsCertificatePath", ex.Message);

        settings["VideoFace:HttpsCertificatePath"] = Path.Combine(_folder, "missing.pfx");
        ex = Assert.Throws<OptionsValidationException>(() => VideoFaceHost.Build([], settings, b => b.Logging.ClearProviders()));
        Assert.Contains("VideoFace:HttpsCertificatePath", ex.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
