using VideoFace.Abstractions;

namespace VideoFace.Grains.Alerts;

/// <summary>Persisted state of the alert rules grain.</summary>
[GenerateSerializer, Alias("vf.AlertRulesState")]
public sealed class AlertRulesState
{
    [Id(0)] public Dictionary<string, AlertRule> Rules { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The alert rules, persisted; rules are validated on the way in.</summary>
public sealed class AlertRulesGrain([PersistentState("alert-rules", Names.Storage)] IPersistentState<AlertRulesState> state)
    : Grain, IAlertRulesGrain
{
    public async Task<AlertRule> AddAsync(AlertRule rule)
    {
        var errors = AlertRules.Validate(rule);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
        state.State.Rules[rule.Id] = rule;
        await state.WriteStateAsync();
        return rule;
    }

    public async Task<bool> RemoveAsync(string ruleId)
    {
        if (!state.State.Rules.Remove(ruleId)) return false;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<int> RemoveForPersonAsync(string personId)
    {
        var ids = state.State.Rules.Values.Where(r => r.PersonId == personId).Select(r => r.Id).ToList();
        foreach (var id in ids) state.State.Rules.Remove(id);
        if (ids.Count > 0) await state.WriteStateAsync();
        return ids.Count;
    }

    public Task<IReadOnlyList<AlertRule>> ListAsync() =>
        Task.FromResult<IReadOnlyList<AlertRule>>(state.State.Rules.Values.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList());

    public Task<AlertRule?> GetAsync(string ruleId) => Task.FromResult(state.State.Rules.GetValueOrDefault(ruleId));
}
