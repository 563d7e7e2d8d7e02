using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace VideoFace.Hosting;

/// <summary>Loads the HTTPS certificate of VideoFace:HttpsCertificatePath (PKCS#12, or PEM with its key file).</summary>
internal static class HttpsCertificate
{
    public static X509Certificate2? Load(VideoFaceHostOptions host)
    {
        if (string.IsNullOrWhiteSpace(host.HttpsCertificatePath)) return null;
        try
        {
            var certificate = string.IsNullOrWhiteSpace(host.HttpsCertificateKeyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(host.HttpsCertificatePath, host.HttpsCertificatePassword)
                : string.IsNullOrEmpty(host.HttpsCertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(host.HttpsCertificatePath, host.HttpsCertificateKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(host.HttpsCertificatePath, host.HttpsCertificatePassword, host.HttpsCertificateKeyPath);
            if (!certificate.HasPrivateKey)
                throw new OptionsValidationException(VideoFaceHostOptions.SectionName, typeof(VideoFaceHostOptions),
                    [$"{VideoFaceHostOptions.SectionName}:HttpsCertificatePath: the certificate has no private key"]);
            return certificate;
        }
        catch (CryptographicException ex)
        {
            throw new OptionsValidationException(VideoFaceHostOptions.SectionName, typeof(VideoFaceHostOptions),
                [$"{VideoFaceHostOptions.SectionName}:HttpsCertificatePath: cannot load the certificate ({ex.Message})"]);
        }
    }
}
