using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Grains.Tracks;
using VideoFace.Pipeline.Sessions;

namespace VideoFace.Grains.Cameras;

/// <summary>
/// A camera: desired state (persisted) and the ingest session on this silo (<see cref="ICameraSessions"/>, which it
/// starts, stops and reads; the session's track notices go to the silo's <see cref="TrackPublisher"/>, not back here).
/// Placed only where inference runs, so frames are analysed where they are decoded.
/// <para>
/// <b>What keeps an enabled camera running: its reminder, and nothing else.</b> Enabling a camera starts its session here
/// and registers a persisted reminder (<see cref="CameraGrainOptions.ReminderPeriod"/>, 10 s); disabling or removing it
/// unregisters the reminder. Every tick is a call to this grain, so it covers each way a session can stop while the
/// camera is enabled: the <b>activation</b> is never idle (a tick every period, far below Orleans' collection age) and a
/// tick on one that lost its session starts it again (<see cref="ReceiveReminder"/>); after a <b>restart</b> (embedded:
/// the SQLite reminder table) and after a <b>silo's loss or shutdown</b> (cluster: the Azure reminder table, its ring
/// range taken over by a live silo) the next tick activates the camera on a device silo, whose
/// <see cref="OnActivateAsync"/> starts the session. So a camera is down at most one period after its silo is declared
/// dead or the host is up again. A running session retries its own failures with growing delays; the reminder only
/// starts a session where none runs, never restarts one.
/// </para>
/// </summary>
[InferenceDevicePlacementFilter]
public sealed partial class CameraGrain(
    [PersistentState("camera", Names.Storage)] IPersistentState<CameraState> state,
    ICameraSessions sessions,
    TrackPublisher tracks,
    ILocalSiloDetails silo,
    Microsoft.Extensions.Options.IOptions<CameraGrainOptions> options,
    ILogger<CameraGrain> logger) : Grain, ICameraGrain, IRemindable
{
    internal const string ReminderName = "camera-keepalive";

    private TimeSpan ReminderPeriod => options.Value.ReminderPeriod;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Config is { Enabled: true } config) await StartAsync(config);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await sessions.StopAsync(Id);
    }

    public async Task ConfigureAsync(CameraConfig config)
    {
        CameraRules.Validate(config);
        state.State = state.State with { Config = config };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).AddAsync(Id);
        if (config.Enabled)
        {
            await StartAsync(config);
        }
        else
        {
            await StopAsync();
            await CloseOpenTracksAsync();
        }
    }

    public async Task RemoveAsync()
    {
        await StopAsync();
        await CloseOpenTracksAsync();
        await GrainFactory.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).RemoveAsync(Id);
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public Task<CameraStatus> GetStatusAsync() =>
        Task.FromResult(new CameraStatus(Id, state.State.Config, silo.Name, CameraRules.Status(state.State.Config, sessions.Snapshot(Id))));

    // frames stay on this silo: the session that decoded them encodes the preview, named by the silo's tracks
    public Task<CameraPreview?> GetPreviewAsync() => Task.FromResult(sessions.Preview(Id) is { } p ? CameraRules.Named(p, tracks.Label) : null);

    /// <summary>
    /// The keep-alive tick. Being called is most of the point: a new activation has started the session already
    /// (<see cref="OnActivateAsync"/>); an activation whose session is gone starts it again.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        state.State.Config is { Enabled: true } config && sessions.Snapshot(Id) is null ? StartAsync(config) : Task.CompletedTask;

    private async Task StartAsync(CameraConfig config)
    {
        sessions.Start(Id, CameraRules.Feed(config));
        LogStarted(logger, Id, silo.Name);
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
    }

    private async Task StopAsync()
    {
        await sessions.StopAsync(Id);
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>
    /// Ends whatever tracks the camera still has open (as stopped): the session stopped here ended its own, but one that
    /// died with its silo before the camera was disabled or removed left its tracks for no next session to close.
    /// </summary>
    private Task CloseOpenTracksAsync() =>
        GrainFactory.GetGrain<ICameraTracksGrain>(Id).CloseAllAsync(null, TrackEndReason.Stopped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera} ingest started on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, string camera, string silo);
}
