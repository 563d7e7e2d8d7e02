using Orleans;

namespace VideoFace.Abstractions;

/// <summary>The alert rules (key: <see cref="AlertNames.Default"/>), persisted.</summary>
public interface IAlertRulesGrain : IGrainWithStringKey
{
    /// <summary>Adds a rule, or replaces the one with the same id; returns it as stored.</summary>
    Task<AlertRule> AddAsync(AlertRule rule);

    Task<bool> RemoveAsync(string ruleId);

    /// <summary>Removes every rule that watches this identity (person erased); returns how many.</summary>
    Task<int> RemoveForPersonAsync(string personId);

    Task<IReadOnlyList<AlertRule>> ListAsync();

    Task<AlertRule?> GetAsync(string ruleId);
}
