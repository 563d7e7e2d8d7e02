using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using VideoFace.Pipeline.Sessions;

namespace VideoFace.Grains.Cameras;

/// <summary>
/// Stops this silo's camera sessions as the silo begins to shut down (SIGTERM, host stop), while it still takes and
/// makes grain calls: the sessions' open tracks end as shutdown at their identities (Left events follow) and in the
/// cameras' open-track records. A plain hosted service would stop after the silo has left the cluster, when those
/// calls can only fail ("No active nodes") and the tracks stay open until the next start.
/// </summary>
public sealed partial class CameraSessionShutdown(CameraSessions sessions, ILogger<CameraSessionShutdown> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        // stages stop in reverse order: Active stops first, before grains are deactivated and the silo leaves membership
        lifecycle.Subscribe(nameof(CameraSessionShutdown), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);

    private async Task StopAsync(CancellationToken ct)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await sessions.StopAllAsync().WaitAsync(ct);
        LogStopped(logger, stopwatch.Elapsed.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera sessions stopped for shutdown in {Seconds:0.0} s")]
    private static partial void LogStopped(ILogger logger, double seconds);
}
