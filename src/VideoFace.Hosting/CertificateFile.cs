using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace VideoFace.Hosting;

/// <summary>
/// Loads a certificate with its private key from a PKCS#12 file (.pfx/.p12), or a PEM certificate with its (optionally
/// encrypted) PEM key file. A file that cannot be read is reported as an <see cref="OptionsValidationException"/> naming
/// the setting, never with the password.
/// </summary>
internal static class CertificateFile
{
    /// <param name="key">The setting the path came from (e.g. "VideoFace:HttpsCertificatePath"), named in errors.</param>
    public static X509Certificate2 Load<TOptions>(string key, string path, string? keyPath, string? password)
    {
        try
        {
            var certificate = string.IsNullOrWhiteSpace(keyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            if (!certificate.HasPrivateKey) throw Invalid<TOptions>(key, "the certificate has no private key");
            return certificate;
        }
        catch (CryptographicException ex)
        {
            throw Invalid<TOptions>(key, $"cannot load the certificate ({ex.Message})");
        }
    }

    /// <summary>A start-up failure naming <paramref name="key"/> (its section is the part before the last colon).</summary>
    public static OptionsValidationException Invalid<TOptions>(string key, string message) =>
        new(key[..Math.Max(0, key.LastIndexOf(':'))], typeof(TOptions), [$"{key}: {message}"]);
}
