using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoFace.Grains.Cameras;
using VideoFace.Grains.Inference;
using Orleans;
using Orleans.Runtime;
using VideoFace.Grains.Tracks;
using VideoFace.Index;
using VideoFace.Media;
using VideoFace.Media.Security;
using VideoFace.Pipeline;
using VideoFace.Pipeline.Sessions;
using VideoFace.Tracking;
using VideoFace.Vision;

namespace VideoFace.Hosting;

/// <summary>Silo services of the frame path: models and inference devices, decoding, tracking and camera sessions.</summary>
public static class VisionHostingExtensions
{
    /// <summary>Sections "Vision", "Media", "Tracking" and "Inference", the device batchers, the camera sessions and the track publisher.</summary>
    public static IHostApplicationBuilder AddVideoFaceVision(this IHostApplicationBuilder builder, VideoFaceHostOptions host)
    {
        var vision = builder.AddValidatedOptions<VisionOptions>(VisionOptions.SectionName, o => o.Validate());
        var media = builder.AddValidatedOptions<MediaOptions>(MediaOptions.SectionName, o => o.Validate());
        var tracking = builder.AddValidatedOptions<TrackerOptions>(TrackerOptions.SectionName, o => o.Validate());
        var batching = builder.AddValidatedOptions<InferenceBatcherOptions>("Inference", o => o.Validate());

        var services = builder.Services;
        services.AddSingleton(media);
        services.AddSingleton<IFaceTrackerFactory>(sp => new FaceTrackerFactory(tracking, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IInferenceDevices>(sp => new InferenceDevices(host.EffectiveSiloName, host.DeviceList, vision, batching,
            sp.GetRequiredService<ILoggerFactory>()));
        // the one writer of finished tracks (blobs, gallery and identities, index) for every camera session here
        services.AddSingleton<TrackPublisher>();
        services.AddSingleton(sp => new CameraSessions(sp.GetRequiredService<TrackPublisher>(),
            () => sp.GetRequiredService<IInferenceDevices>().Get(), sp.GetRequiredService<IFaceTrackerFactory>(), media,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetService<UrlPolicy>()));
        services.AddSingleton<ICameraSessions>(sp => sp.GetRequiredService<CameraSessions>());
        // sessions stop (ending their tracks as shutdown) while the silo still takes grain calls, not after it left
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CameraSessionShutdown>();
        // models load at start, so a wrong model file stops the silo with the file's name instead of failing later
        if (host.DeviceList.Count > 0) services.AddHostedService<EagerServices>();
        return builder;
    }

    /// <summary>
    /// Resolves the inference devices at start (loading and checking models). At shutdown the sessions were already
    /// stopped by <see cref="CameraSessionShutdown"/>; stopping again is a no-op kept for hosts without a silo lifecycle.
    /// </summary>
    private sealed class EagerServices(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<IInferenceDevices>();
            services.GetService<ISightingIndex>();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) =>
            await services.GetRequiredService<CameraSessions>().DisposeAsync();
    }
}
