using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace VideoFace.Hosting;

/// <summary>
/// A silo's TLS identity and the peers it trusts, loaded at start from <see cref="SiloTlsOptions"/>. A peer is accepted
/// when its certificate is currently valid and its SHA-256 fingerprint is this silo's own or a pinned one; the chain is
/// not consulted, so a self-signed certificate works and no certificate authority can vouch for a stranger.
/// </summary>
public sealed partial class SiloTls
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private readonly HashSet<string> _trusted;
    private readonly TimeProvider _time;

    private SiloTls(X509Certificate2 certificate, IEnumerable<string> trusted, TimeSpan handshakeTimeout, TimeProvider time)
    {
        Certificate = certificate;
        _trusted = [Fingerprint(certificate), .. trusted];
        HandshakeTimeout = handshakeTimeout;
        _time = time;
    }

    /// <summary>This silo's certificate (with its private key), presented on every silo and gateway connection.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 fingerprints of the certificates accepted from peers (upper-case hex), this silo's own first.</summary>
    public IReadOnlyCollection<string> TrustedFingerprints => _trusted;

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>
    /// Loads the certificate of validated <paramref name="options"/>; null when silo TLS is off. An unreadable file, a
    /// wrong password, a missing key, a certificate outside its validity or one not usable for both server and client
    /// authentication stops the start with a message naming the key.
    /// </summary>
    public static SiloTls? Load(SiloTlsOptions options, TimeProvider? time = null)
    {
        if (!options.Enabled) return null;
        time ??= TimeProvider.System;
        var key = $"{SiloTlsOptions.SectionName}:{nameof(SiloTlsOptions.CertificatePath)}";
        string? password;
        try
        {
            password = options.ReadPassword();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CertificateFile.Invalid<SiloTlsOptions>($"{SiloTlsOptions.SectionName}:{nameof(SiloTlsOptions.CertificatePasswordFile)}",
                $"cannot read the password file ({ex.Message})");
        }
        var certificate = CertificateFile.Load<SiloTlsOptions>(key, options.CertificatePath!, options.CertificateKeyPath, password);
        var problem = UsageProblem(certificate) ?? ValidityProblem(certificate, time.GetUtcNow());
        if (problem is not null)
        {
            certificate.Dispose();
            throw CertificateFile.Invalid<SiloTlsOptions>(key, problem);
        }
        var pinned = options.TrustedThumbprints.Select(t => SiloTlsOptions.NormalizeThumbprint(t)!);
        return new SiloTls(certificate, pinned, options.HandshakeTimeout, time);
    }

    /// <summary>Whether a peer presenting <paramref name="remote"/> is let in; <paramref name="reason"/> says why not.</summary>
    public bool Accepts(X509Certificate2 remote, out string? reason)
    {
        reason = ValidityProblem(remote, _time.GetUtcNow())
            ?? (_trusted.Contains(Fingerprint(remote)) ? null : "its fingerprint is neither this silo's certificate nor a trusted one");
        return reason is null;
    }

    /// <summary>Orleans' TLS settings: this certificate both ways, a peer certificate required and checked by <see cref="Accepts"/>.</summary>
    public TlsOptions ToTlsOptions(ILogger logger) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        HandshakeTimeout = HandshakeTimeout,
        // replaces the platform's chain and host-name checks: pinning is the trust decision (see the type's remarks)
        RemoteCertificateValidation = (remote, _, _) =>
        {
            if (Accepts(remote, out var reason)) return true;
            LogRefused(logger, remote.Subject, Fingerprint(remote), reason!);
            return false;
        },
    };

    /// <summary>The SHA-256 fingerprint of <paramref name="certificate"/> as upper-case hex.</summary>
    public static string Fingerprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static string? UsageProblem(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages;
        if (usages is null) return null;
        var oids = usages.Cast<Oid>().Select(o => o.Value).ToHashSet();
        return oids.Contains(ServerAuth) && oids.Contains(ClientAuth)
            ? null
            : "the certificate's extended key usage must include both server and client authentication (every silo is both)";
    }

    private static string? ValidityProblem(X509Certificate2 certificate, DateTimeOffset now) =>
        now < certificate.NotBefore.ToUniversalTime() ? $"the certificate is not valid before {certificate.NotBefore.ToUniversalTime():u}"
        : now > certificate.NotAfter.ToUniversalTime() ? $"the certificate expired on {certificate.NotAfter.ToUniversalTime():u}"
        : null;

    /// <summary>Says once at start that silo connections are secured, with which certificate (never its password).</summary>
    internal void LogOn(ILogger logger) => LogEnabled(logger, Certificate.Subject, Fingerprint(Certificate), _trusted.Count - 1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo TLS on: certificate {Subject}, SHA-256 {Fingerprint}, {Pinned} more trusted fingerprint(s)")]
    private static partial void LogEnabled(ILogger logger, string subject, string fingerprint, int pinned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo TLS: refused a peer certificate ({Subject}, SHA-256 {Fingerprint}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string subject, string fingerprint, string reason);
}
