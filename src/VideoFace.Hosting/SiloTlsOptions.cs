using System.Text.RegularExpressions;

namespace VideoFace.Hosting;

/// <summary>
/// Mutual TLS on the silo-to-silo and gateway ports (configuration section "VideoFace:SiloTls"; environment variables
/// VideoFace__SiloTls__Key). Off unless <see cref="CertificatePath"/> is set. Every silo presents its certificate and
/// accepts a peer only when the peer's certificate is its own (one certificate shared by the cluster) or is pinned in
/// <see cref="TrustedThumbprints"/>: a self-signed certificate needs no CA, and a certificate some public CA issued to
/// someone else is still refused.
/// </summary>
public sealed partial class SiloTlsOptions
{
    public const string SectionName = "VideoFace:SiloTls";

    /// <summary>
    /// This silo's certificate: a PKCS#12 file (.pfx/.p12), or a PEM certificate with its key in <see cref="CertificateKeyPath"/>.
    /// If it lists extended key usages, they must include both server and client authentication (every silo is both).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/> (PEM certificates only).</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or encrypted PEM key (environment variable VideoFace__SiloTls__CertificatePassword).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>A file holding the password instead (a mounted secret); one trailing line break is ignored.</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>
    /// SHA-256 fingerprints (hex, colons or spaces allowed: what <c>openssl x509 -noout -fingerprint -sha256</c> prints)
    /// of the other certificates this silo accepts from peers, besides its own: one per silo when silos have their own
    /// certificates, and the next certificate while rotating.
    /// </summary>
    public List<string> TrustedThumbprints { get; set; } = [];

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        string K(string key) => $"{SectionName}:{key}";
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(CertificateKeyPath) || !string.IsNullOrEmpty(CertificatePassword)
                || !string.IsNullOrWhiteSpace(CertificatePasswordFile) || TrustedThumbprints.Count > 0)
                e.Add($"{K(nameof(CertificatePath))} is required when other {SectionName} settings are given");
            return e;
        }
        if (!File.Exists(CertificatePath)) e.Add($"{K(nameof(CertificatePath))}: no file at {CertificatePath}");
        if (!string.IsNullOrWhiteSpace(CertificateKeyPath) && !File.Exists(CertificateKeyPath))
            e.Add($"{K(nameof(CertificateKeyPath))}: no file at {CertificateKeyPath}");
        if (!string.IsNullOrWhiteSpace(CertificatePasswordFile))
        {
            if (!string.IsNullOrEmpty(CertificatePassword))
                e.Add($"{K(nameof(CertificatePasswordFile))} and {K(nameof(CertificatePassword))}: give one, not both");
            if (!File.Exists(CertificatePasswordFile)) e.Add($"{K(nameof(CertificatePasswordFile))}: no file at {CertificatePasswordFile}");
        }
        for (var i = 0; i < TrustedThumbprints.Count; i++)
            if (NormalizeThumbprint(TrustedThumbprints[i]) is null)
                e.Add($"{K(nameof(TrustedThumbprints))}:{i} must be a SHA-256 fingerprint, 64 hex digits (was '{TrustedThumbprints[i]}')");
        if (HandshakeTimeout < TimeSpan.FromSeconds(1) || HandshakeTimeout > TimeSpan.FromMinutes(5))
            e.Add($"{K(nameof(HandshakeTimeout))} must be between 1 s and 5 min (was {HandshakeTimeout})");
        return e;
    }

    /// <summary>The password: <see cref="CertificatePassword"/>, else the first line of <see cref="CertificatePasswordFile"/>, else none.</summary>
    public string? ReadPassword() =>
        !string.IsNullOrWhiteSpace(CertificatePasswordFile)
            ? File.ReadAllText(CertificatePasswordFile).TrimEnd('\r', '\n')
            : CertificatePassword;

    /// <summary>Upper-case hex without separators, or null when <paramref name="value"/> is not 32 bytes of hex.</summary>
    public static string? NormalizeThumbprint(string value)
    {
        var hex = Separators().Replace(value, "").ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    [GeneratedRegex(@"[\s:\-]")]
    private static partial Regex Separators();
}
