using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>Self-signed certificates made by the tests (no store, no CA), written as PKCS#12 or PEM files.</summary>
public static class TestCertificates
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>A self-signed RSA certificate for localhost/127.0.0.1 with the given extended key usages, valid from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static X509Certificate2 SelfSigned(string subject, string[] usages, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var oids = new OidCollection();
        foreach (var u in usages) oids.Add(new Oid(u));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        return request.CreateSelfSigned(from ?? DateTimeOffset.UtcNow.AddMinutes(-5), to ?? DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A silo certificate (server and client authentication) saved as a password-protected PKCS#12 file.</summary>
    public static (string Path, X509Certificate2 Certificate) SiloPfx(string folder, string name, string password)
    {
        var certificate = SelfSigned(name, [ServerAuth, ClientAuth]);
        var path = SavePfx(certificate, Path.Combine(folder, name + ".pfx"), password);
        return (path, certificate);
    }

    public static string SavePfx(X509Certificate2 certificate, string path, string password)
    {
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }
}
