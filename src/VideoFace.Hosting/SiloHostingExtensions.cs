using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VideoFace.Grains.Cameras;
using VideoFace.Grains.Gallery;
using VideoFace.Media.Security;

namespace VideoFace.Hosting;

/// <summary>
/// Wires a VideoFace silo from its parts: vision (<see cref="VisionHostingExtensions"/>), index and storage
/// (<see cref="IndexStorageHostingExtensions"/>), alerts (<see cref="AlertHostingExtensions"/>) and Orleans per
/// profile (<see cref="OrleansProfileExtensions"/>). Every options section goes through
/// <see cref="ValidatedOptionsExtensions.AddValidatedOptions{T}"/>.
/// </summary>
public static class SiloHostingExtensions
{
    /// <summary>
    /// The silo with its services, Orleans configured from the "VideoFace" section (profile, ports, devices) and, when
    /// "VideoFace:SiloTls" names a certificate, mutual TLS between silos (<see cref="SiloTls"/>).
    /// </summary>
    public static VideoFaceHostOptions AddVideoFaceSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configureSilo = null)
    {
        var host = builder.AddVideoFaceServices();
        var tls = SiloTls.Load(builder.AddValidatedOptions<SiloTlsOptions>(SiloTlsOptions.SectionName, o => o.Validate()));
        builder.UseOrleans(silo =>
        {
            silo.ConfigureVideoFaceSilo(host, clustering: true);
            if (tls is not null) silo.UseVideoFaceTls(tls);
            configureSilo?.Invoke(silo);
        });
        return host;
    }

    /// <summary>
    /// Registers the non-Orleans services of a silo (inference devices, camera sessions, tracking, index, blobs, alerts). Every options section is validated now; a bad value stops the start with a message naming its key.
    /// </summary>
    public static VideoFaceHostOptions AddVideoFaceServices(this IHostApplicationBuilder builder)
    {
        NativeHeap.Tune();
        var host = builder.AddValidatedOptions<VideoFaceHostOptions>(VideoFaceHostOptions.SectionName, o => o.Validate());
        builder.AddValidatedOptions<GalleryOptions>(GalleryOptions.SectionName, o => o.Validate());
        // owner-only: state, index, blobs and the API key (0700 folder, 0600 files, umask 077 for what comes later)
        if (host.Profile == HostingProfile.Embedded) PrivateFiles.Restrict(host.DataDirectory);

        var services = builder.Services;
        services.AddSingleton(Options.Create(new CameraGrainOptions { ReminderPeriod = host.CameraReminderPeriod }));
        services.AddSingleton(TimeProvider.System);
        // this silo's copy of the enrolled persons: track naming reads it instead of calling the gallery per track
        services.AddSingleton<GalleryReplica>();
        builder.AddVideoFaceVision(host);
        builder.AddVideoFaceIndexAndStorage(host);
        builder.AddVideoFaceAlerts();
        return host;
    }
}
