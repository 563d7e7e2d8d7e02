using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using VideoFace.Abstractions;

namespace VideoFace.Grains.Alerts;

/// <summary>Persisted state of the alert evaluator: dedupe/cooldown expiries, so a restart does not alert twice for one walk-by.</summary>
[GenerateSerializer, Alias("vf.AlertEvaluatorState")]
public sealed class AlertEvaluatorState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Expiries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Evaluates the rules on each identity event. An implicit subscription makes exactly one evaluator per identity
/// stream in the whole cluster (a silo hosted service would run once per silo and alert N times), and it is
/// re-activated wherever the stream delivers after a silo dies; matches go to the alert log.
/// </summary>
[ImplicitStreamSubscription(Names.IdentityEventsNamespace)]
public sealed partial class AlertEvaluatorGrain(
    [PersistentState("alert-evaluator", Names.Storage)] IPersistentState<AlertEvaluatorState> state,
    IServiceProvider services,
    ILogger<AlertEvaluatorGrain> logger)
    : Grain, IAlertEvaluatorGrain, IStreamSubscriptionObserver, IAsyncObserver<IdentityEvent>
{
    // optional: a silo composed without the alert services still runs (and evaluates with defaults)
    private readonly TimeProvider _time = services.GetKeyedService<TimeProvider>(AlertOptions.ClockKey) ?? services.GetService<TimeProvider>() ?? TimeProvider.System;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<IdentityEvent>().ResumeAsync(this);

    public async Task OnNextAsync(IdentityEvent item, StreamSequenceToken? token = null)
    {
        try
        {
            await EvaluateAsync(item);
        }
        catch (Exception ex)
        {
            // thrown on, so the stream delivers it again (with backoff, for a bounded time): an alert's id comes from the
            // rule and the event id, so the alert log keeps one alert however often the event is evaluated
            LogEvaluationFailed(logger, ex, item.EventId, item.IdentityId);
            throw;
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(logger, ex);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<Alert>> EvaluateAsync(IdentityEvent e)
    {
        if (e.Kind == IdentityEventKind.Retracted) return await RetractAsync(e);
        if (e.Kind == IdentityEventKind.Merged)
        {
            await FollowMergeAsync(e);
            return [];
        }
        if (e.Kind == IdentityEventKind.Left) return [];
        var rules = await GrainFactory.GetGrain<IAlertRulesGrain>(AlertNames.Default).ListAsync();
        if (rules.Count == 0) return [];
        var now = _time.GetUtcNow();
        var cooldowns = new AlertCooldowns(state.State.Expiries);
        var fired = rules.Where(r => AlertRuleMatcher.Matches(r, e) && cooldowns.CanFire(r, e, now)).ToList();
        if (fired.Count == 0) return [];

        // log first, then remember: a crash in between re-alerts (at-least-once), never loses an alert
        using var activity = Pipeline.VideoFaceActivities.StartFrom(Pipeline.VideoFaceActivities.Alert, e.TraceParent);
        activity?.SetTag("videoface.alert.rules", fired.Count);
        var logged = await GrainFactory.GetGrain<IAlertLogGrain>(AlertNames.Default).AppendAsync(fired.Select(r => AlertRules.Create(r, e)).ToList());
        foreach (var r in fired) cooldowns.Record(r, e, now);
        cooldowns.Prune(now);
        await state.WriteStateAsync();
        foreach (var a in logged)
        {
            GrainInstruments.AlertsCounter.Add(1, new KeyValuePair<string, object?>("rule", a.RuleId));
            GrainInstruments.AlertLatencyHistogram.Record((_time.GetUtcNow() - e.Time).TotalMilliseconds);
        }
        foreach (var a in logged) LogAlert(logger, a.Sequence, a.RuleName, a.IdentityName ?? a.IdentityId, a.CameraId, a.TrackId);
        return logged;
    }

    /// <summary>
    /// An identity was merged into another: rules that watched it now watch the target (the source id never appears
    /// again). Repeating it changes nothing, so a redelivered event is harmless.
    /// </summary>
    private async Task FollowMergeAsync(IdentityEvent e)
    {
        if (e.MovedToIdentityId is not { } target) return;
        var rules = GrainFactory.GetGrain<IAlertRulesGrain>(AlertNames.Default);
        foreach (var rule in (await rules.ListAsync()).Where(r => r.PersonId == e.IdentityId))
        {
            await rules.AddAsync(rule with { PersonId = target, PersonName = e.Name ?? rule.PersonName });
            LogRuleFollowedMerge(logger, rule.Id, e.IdentityId, target);
        }
    }

    /// <summary>
    /// A track was taken from an identity (more evidence named it otherwise): every rule that already alerted on that
    /// track for that identity sends a retraction — the same alert with event "retracted" — so receivers can withdraw it.
    /// </summary>
    private async Task<IReadOnlyList<Alert>> RetractAsync(IdentityEvent e)
    {
        var log = GrainFactory.GetGrain<IAlertLogGrain>(AlertNames.Default);
        // a track is re-decided within its life (seconds, minutes): its alerts are among the latest ones
        var sent = (await log.RecentAsync(RetractionLookback))
            .Where(a => a.TrackId == e.TrackId && a.IdentityId == e.IdentityId && a.EventKind != IdentityEventKind.Retracted).ToList();
        if (sent.Count == 0) return [];
        var retractions = sent.GroupBy(a => a.RuleId, StringComparer.Ordinal)
            .Select(g => g.Last() with { AlertId = AlertRules.AlertId(g.Key, e.EventId), Sequence = 0, Time = e.Time, EventKind = IdentityEventKind.Retracted })
            .ToList();
        var logged = await log.AppendAsync(retractions);
        foreach (var a in logged) LogRetracted(logger, a.Sequence, a.RuleName, a.IdentityName ?? a.IdentityId, a.TrackId, e.MovedToIdentityId ?? "?");
        return logged;
    }

    /// <summary>How many of the latest alerts a retraction looks through for the track's alerts.</summary>
    private const int RetractionLookback = 1000;

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert rule {Rule} follows the merge of {Source} into {Target}")]
    private static partial void LogRuleFollowedMerge(ILogger logger, string rule, string source, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Sequence} ({Rule}) retracts {Identity} for track {Track}: it is {MovedTo}")]
    private static partial void LogRetracted(ILogger logger, long sequence, string rule, string identity, string track, string movedTo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Sequence} ({Rule}): {Identity} on camera {Camera}, track {Track}")]
    private static partial void LogAlert(ILogger logger, long sequence, string rule, string identity, string camera, string track);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert rules could not be evaluated for event {EventId} of {Identity}; the stream delivers it again")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception ex, string eventId, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity-events stream error at the alert evaluator")]
    private static partial void LogStreamError(ILogger logger, Exception ex);
}
