using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;

namespace VideoFace.Cluster.Tests;

/// <summary>VideoFace:SiloTls is checked at start: a missing file, a wrong password or an unfit certificate stops the silo naming the key.</summary>
public sealed class SiloTlsOptionsTests : IDisposable
{
    private const string Key = "VideoFace:SiloTls:CertificatePath";
    private readonly string _folder = TestVideos.TempFolder("silotls-options");

    [Fact]
    public void Off_ByDefault_AndOtherSettingsWithoutACertificateAreRefused()
    {
        Assert.Empty(new SiloTlsOptions().Validate());
        Assert.Null(SiloTls.Load(new SiloTlsOptions()));
        var o = new SiloTlsOptions { TrustedThumbprints = [new string('A', 64)] };
        Assert.Contains(o.Validate(), e => e.StartsWith($"{Key} is required", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingFiles_NameTheirKeys()
    {
        var o = new SiloTlsOptions
        {
            CertificatePath = Path.Combine(_folder, "missing.pfx"),
            CertificatePasswordFile = Path.Combine(_folder, "missing-password"),
        };
        var errors = o.Validate();
        Assert.Contains(errors, e => e.StartsWith($"{Key}: no file at", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("VideoFace:SiloTls:CertificatePasswordFile: no file at", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-hex")]
    [InlineData("AB:CD")]
    public void TrustedThumbprint_NotASha256Fingerprint_NamesTheEntry(string value)
    {
        var (path, _) = TestCertificates.SiloPfx(_folder, "silo", "pw");
        var o = new SiloTlsOptions { CertificatePath = path, CertificatePassword = "pw", TrustedThumbprints = [value] };
        Assert.Contains(o.Validate(), e => e.StartsWith("VideoFace:SiloTls:TrustedThumbprints:0 must be a SHA-256 fingerprint", StringComparison.Ordinal));
    }

    [Fact]
    public void WrongPassword_FailsNamingTheKey_WithoutThePassword()
    {
        var (path, _) = TestCertificates.SiloPfx(_folder, "silo", "right-password");
        var o = new SiloTlsOptions { CertificatePath = path, CertificatePassword = "wrong-password" };
        Assert.Empty(o.Validate());
        var ex = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(o));
        Assert.StartsWith($"{Key}: cannot load the certificate", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFile_LoadsTheCertificate_WhichTrustsItselfAndPinnedPeersOnly()
    {
        var (path, own) = TestCertificates.SiloPfx(_folder, "silo", "from-file");
        var passwordFile = Path.Combine(_folder, "password");
        File.WriteAllText(passwordFile, "from-file\n");
        var pinned = TestCertificates.SelfSigned("pinned", [TestCertificates.ServerAuth, TestCertificates.ClientAuth]);
        var stranger = TestCertificates.SelfSigned("stranger", [TestCertificates.ServerAuth, TestCertificates.ClientAuth]);
        // the fingerprint as openssl prints it: colon-separated, any case
        var colons = string.Join(':', SiloTls.Fingerprint(pinned).Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var o = new SiloTlsOptions { CertificatePath = path, CertificatePasswordFile = passwordFile, TrustedThumbprints = [colons] };
        Assert.Empty(o.Validate());

        var tls = SiloTls.Load(o)!;
        Assert.Equal(SiloTls.Fingerprint(own), SiloTls.Fingerprint(tls.Certificate));
        Assert.True(tls.Accepts(own, out _));
        Assert.True(tls.Accepts(pinned, out _));
        Assert.False(tls.Accepts(stranger, out var reason));
        Assert.Contains("neither this silo's certificate nor a trusted one", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredPeerCertificate_IsRefusedEvenWhenPinned()
    {
        var (path, _) = TestCertificates.SiloPfx(_folder, "silo", "pw");
        var expired = TestCertificates.SelfSigned("old", [TestCertificates.ServerAuth, TestCertificates.ClientAuth],
            DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        var tls = SiloTls.Load(new SiloTlsOptions { CertificatePath = path, CertificatePassword = "pw", TrustedThumbprints = [SiloTls.Fingerprint(expired)] })!;
        Assert.False(tls.Accepts(expired, out var reason));
        Assert.Contains("expired", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server-only", "the certificate's extended key usage must include both server and client authentication")]
    [InlineData("expired", "the certificate expired on")]
    public void UnfitOwnCertificate_FailsNamingTheKey(string kind, string message)
    {
        var certificate = kind == "expired"
            ? TestCertificates.SelfSigned(kind, [TestCertificates.ServerAuth, TestCertificates.ClientAuth], DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1))
            : TestCertificates.SelfSigned(kind, [TestCertificates.ServerAuth]);
        var path = TestCertificates.SavePfx(certificate, Path.Combine(_folder, kind + ".pfx"), "pw");
        var ex = Assert.Throws<OptionsValidationException>(() => SiloTls.Load(new SiloTlsOptions { CertificatePath = path, CertificatePassword = "pw" }));
        Assert.StartsWith($"{Key}: {message}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_WrongPasswordOrMissingFile_DoesNotBuild()
    {
        var (path, _) = TestCertificates.SiloPfx(_folder, "silo", "right");
        var ports = Ports.Free(3);
        var settings = new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(_folder, "data"),
            ["VideoFace:Devices"] = "",
            ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Vision:ModelsDirectory"] = TestData.Models,
            [Key] = path,
            ["VideoFace:SiloTls:CertificatePassword"] = "wrong",
        };
        var ex = Assert.Throws<OptionsValidationException>(() => VideoFaceHost.Build([], settings, b => b.Logging.ClearProviders()));
        Assert.Contains($"{Key}: cannot load the certificate", ex.Message, StringComparison.Ordinal);

        settings[Key] = Path.Combine(_folder, "missing.pfx");
        ex = Assert.Throws<OptionsValidationException>(() => VideoFaceHost.Build([], settings, b => b.Logging.ClearProviders()));
        Assert.Contains($"{Key}: no file at", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
