using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;

namespace VideoFace.Grains.Cameras;

/// <summary>Camera grain settings.</summary>
public sealed class CameraGrainOptions
{
    /// <summary>How often the reminder checks on the camera; with silo-death detection it bounds failover time.</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Persisted desired state of a camera.</summary>
[GenerateSerializer, Alias("vf.CameraState")]
public sealed class CameraState
{
    [Id(0)] public CameraConfig? Config { get; set; }
}

/// <summary>
/// A camera: desired state (persisted) and the ingest session on this silo. Placed only where inference runs, so
/// frames are analysed where they are decoded. A reminder re-activates it — and so restarts ingest — on another
/// silo when its silo dies; a keep-alive timer keeps the activation (and session) alive in between.
/// </summary>
[InferenceDevicePlacementFilter]
public sealed partial class CameraGrain(
    [PersistentState("camera", Names.Storage)] IPersistentState<CameraState> state,
    ICameraSessionHost sessions,
    ILocalSiloDetails silo,
    Microsoft.Extensions.Options.IOptions<CameraGrainOptions> options,
    ILogger<CameraGrain> logger) : Grain, ICameraGrain, IRemindable
{
    internal const string ReminderName = "camera-keepalive";

    private TimeSpan ReminderPeriod => options.Value.ReminderPeriod;

    private CameraReport? _report;
    private IGrainTimer? _timer;

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
        Validate(config);
        state.State.Config = config;
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

    public Task<CameraStatus> GetStatusAsync()
    {
        var config = state.State.Config;
        var r = sessions.Snapshot(Id) ?? _report;
        var health = config is null || !config.Enabled ? CameraHealthState.Stopped : r?.Health ?? CameraHealthState.Connecting;
        return Task.FromResult(new CameraStatus(Id, config, health, r?.Reason, silo.Name,
            r?.FramesAnalyzed ?? 0, r?.FacesDetected ?? 0, r?.TracksStarted ?? 0, r?.LastFrameAt, r?.FramesDropped ?? 0,
            health == CameraHealthState.Stopped ? null : r?.RetryAt));
    }

    // frames stay on this silo: the session that decoded them encodes the preview
    public Task<CameraPreview?> GetPreviewAsync() => Task.FromResult(sessions.Preview(Id));

    public Task ReportAsync(CameraReport report)
    {
        // one line per state change of the camera (the media source logs its own transitions at Debug)
        var previous = _report?.Health ?? CameraHealthState.Stopped;
        if (report.Health != previous) LogStateChanged(logger, Id, previous, report.Health, report.Reason ?? "");
        _report = report;
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        // Being activated is the point: OnActivateAsync restarted the session if this is a new activation.
        state.State.Config is { Enabled: true } config && sessions.Snapshot(Id) is null ? StartAsync(config) : Task.CompletedTask;

    private async Task StartAsync(CameraConfig config)
    {
        sessions.Start(Id, config);
        LogStarted(logger, Id, silo.Name);
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        _timer ??= this.RegisterGrainTimer(KeepSessionAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { KeepAlive = true });
    }

    private async Task StopAsync()
    {
        _timer?.Dispose();
        _timer = null;
        await sessions.StopAsync(Id);
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>
    /// Ends whatever tracks the camera still has open (as stopped): the session stopped here ended its own, but one that
    /// died with its silo before the camera was disabled or removed left its tracks for no next session to close.
    /// </summary>
    private Task CloseOpenTracksAsync() =>
        GrainFactory.GetGrain<ICameraTracksGrain>(Id).CloseAllAsync(null, TrackEndReason.Stopped);

    /// <summary>
    /// Keeps the activation alive and brings back a session that is gone while the camera is enabled. (A session retries
    /// its own failures, with growing delays; this only covers one that no longer runs at all.)
    /// </summary>
    private Task KeepSessionAsync(CancellationToken ct)
    {
        if (state.State.Config is { Enabled: true } config && sessions.Snapshot(Id) is null) sessions.Start(Id, config);
        return Task.CompletedTask;
    }

    private static void Validate(CameraConfig config)
    {
        if (string.IsNullOrWhiteSpace(config.Url)) throw new ArgumentException("camera url is required");
        if (config.AnalysisFps is <= 0 or > 60 || double.IsNaN(config.AnalysisFps))
            throw new ArgumentException($"analysis fps must be in (0, 60] (was {config.AnalysisFps})");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: {From} -> {To} {Reason}")]
    private static partial void LogStateChanged(ILogger logger, string camera, CameraHealthState from, CameraHealthState to, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera} ingest started on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, string camera, string silo);
}
