using System.Security.Cryptography.X509Certificates;

namespace VideoFace.Hosting;

/// <summary>Loads the HTTPS certificate of VideoFace:HttpsCertificatePath (PKCS#12, or PEM with its key file).</summary>
internal static class HttpsCertificate
{
    public static X509Certificate2? Load(VideoFaceHostOptions host) =>
        string.IsNullOrWhiteSpace(host.HttpsCertificatePath)
            ? null
            : CertificateFile.Load<VideoFaceHostOptions>($"{VideoFaceHostOptions.SectionName}:{nameof(VideoFaceHostOptions.HttpsCertificatePath)}",
                host.HttpsCertificatePath, host.HttpsCertificateKeyPath, host.HttpsCertificatePassword);
}
