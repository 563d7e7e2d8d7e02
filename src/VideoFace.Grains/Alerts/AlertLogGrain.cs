using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Grains.Logs;

namespace VideoFace.Grains.Alerts;

/// <summary>Persisted state of the alert log.</summary>
[GenerateSerializer, Alias("vf.AlertLogState")]
public sealed record AlertLogState
{
    /// <summary>Sequence of the newest alert ever logged; never reused, even after its alert left the log.</summary>
    [Id(0)] public long LastSequence { get; set; }

    /// <summary>Retained alerts, oldest first.</summary>
    [Id(1)] public List<Alert> Alerts { get; init; } = [];

    /// <summary>Sequences whose webhook delivery has not finished (re-sent after a restart: at-least-once).</summary>
    [Id(2)] public HashSet<long> PendingWebhooks { get; init; } = [];
}

/// <summary>The alert log: numbers, retains and persists alerts, publishes them on the alerts stream, starts webhook delivery.</summary>
public sealed partial class AlertLogGrain(
    [PersistentState("alert-log", Names.Storage)] IPersistentState<AlertLogState> state,
    IServiceProvider services,
    ILogger<AlertLogGrain> logger) : Grain, IAlertLogGrain
{
    private readonly AlertOptions _options = services.GetService<IOptions<AlertOptions>>()?.Value ?? new AlertOptions();
    private readonly TimeProvider _time = services.GetKeyedService<TimeProvider>(AlertOptions.ClockKey) ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
    private readonly AlertWebhookDispatcher? _webhooks = services.GetService<AlertWebhookDispatcher>();
    private IAsyncStream<Alert>? _stream;
    private SequencedLog<Alert> _log = null!;
    private AlertLogState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(Names.StreamProvider).GetStream<Alert>(StreamId.Create(AlertNames.AlertsNamespace, AlertNames.AllAlertsKey));
        _log = new SequencedLog<Alert>(S.Alerts, a => a.AlertId, a => a.Sequence);
        if (S.PendingWebhooks.Count > 0)
        {
            var pending = S.Alerts.Where(a => S.PendingWebhooks.Contains(a.Sequence)).ToList();
            S.PendingWebhooks.IntersectWith(pending.Select(a => a.Sequence));
            await StartWebhooksAsync(pending);
        }
    }

    public async Task<IReadOnlyList<Alert>> AppendAsync(IReadOnlyList<Alert> alerts)
    {
        var added = new List<Alert>();
        var gallery = GrainFactory.GetGrain<IGalleryGrain>(Names.DefaultGallery);
        foreach (var a in alerts)
        {
            if (_log.Contains(a.AlertId)) continue; // a redelivered event
            // an event of an identity erased while it was on its way: the alert would name someone who is gone
            if (await gallery.IsErasedAsync(a.IdentityId, a.Incarnation)) continue;
            var logged = a with { Sequence = ++S.LastSequence };
            if (_log.Add(logged)) added.Add(logged);
        }
        if (added.Count == 0) return [];
        var hooks = _webhooks is null ? [] : await WebhooksAsync(added);
        foreach (var a in added.Where(a => hooks.ContainsKey(a.RuleId))) S.PendingWebhooks.Add(a.Sequence);
        var cutoff = _time.GetUtcNow() - _options.Retention;
        Forget(_log.Trim(_options.LogCapacity, a => a.Time < cutoff));
        await state.WriteStateAsync();
        foreach (var a in added)
        {
            try
            {
                await _stream!.OnNextAsync(a);
            }
            catch (Exception ex)
            {
                // logged and persisted: HTTP subscribers still read it from the log
                LogPublishFailed(logger, ex, a.Sequence);
            }
        }
        foreach (var a in added)
            if (hooks.TryGetValue(a.RuleId, out var hook)) _webhooks!.Enqueue(a, hook);
        return added;
    }

    public Task<IReadOnlyList<Alert>> ReadAsync(long afterSequence, int max) => Task.FromResult(_log.After(afterSequence, max));

    public Task<IReadOnlyList<Alert>> RecentAsync(int count) => Task.FromResult(_log.Newest(count));

    public Task<long> GetLatestSequenceAsync() => Task.FromResult(S.LastSequence);

    public Task<int> RemoveIdentityAsync(string identityId, long incarnation) =>
        RemoveAsync(a => a.IdentityId == identityId && a.Incarnation <= incarnation);

    public Task<int> PruneOlderThanAsync(DateTimeOffset before) => RemoveAsync(a => a.Time < before);

    /// <summary>Removes matching alerts (and their pending webhooks); the sequence counter stays, so no number is reused.</summary>
    private async Task<int> RemoveAsync(Predicate<Alert> match)
    {
        int removed = Forget(_log.RemoveAll(match));
        if (removed > 0) await state.WriteStateAsync();
        return removed;
    }

    /// <summary>Drops the pending webhooks of alerts that left the log; returns how many left.</summary>
    private int Forget(IReadOnlyList<Alert> removed)
    {
        foreach (var a in removed) S.PendingWebhooks.Remove(a.Sequence);
        return removed.Count;
    }

    public async Task WebhookDoneAsync(long sequence)
    {
        if (S.PendingWebhooks.Remove(sequence)) await state.WriteStateAsync();
    }

    private async Task StartWebhooksAsync(IReadOnlyList<Alert> alerts)
    {
        if (_webhooks is null || alerts.Count == 0) return;
        var hooks = await WebhooksAsync(alerts);
        foreach (var a in alerts)
        {
            if (hooks.TryGetValue(a.RuleId, out var hook)) _webhooks.Enqueue(a, hook);
            else S.PendingWebhooks.Remove(a.Sequence); // the rule or its webhook is gone
        }
    }

    /// <summary>The webhooks of the rules of these alerts (rule id → webhook); the secret never travels with the alert.</summary>
    private async Task<Dictionary<string, AlertWebhook>> WebhooksAsync(IReadOnlyList<Alert> alerts)
    {
        var ids = alerts.Select(a => a.RuleId).ToHashSet(StringComparer.Ordinal);
        var rules = await GrainFactory.GetGrain<IAlertRulesGrain>(AlertNames.Default).ListAsync();
        return rules.Where(r => r.Webhook is not null && ids.Contains(r.Id)).ToDictionary(r => r.Id, r => r.Webhook!, StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Sequence} is logged but could not be published on the alerts stream")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, long sequence);
}
