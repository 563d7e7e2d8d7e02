using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// Evaluates the alert rules on every identity event; activated by its implicit subscription to the identity-events
/// stream (key: the stream key, <see cref="Names.AllEventsKey"/>).
/// </summary>
public interface IAlertEvaluatorGrain : IGrainWithStringKey
{
    /// <summary>Evaluates one event now (the stream does this itself; tests and replays call it directly); returns the alerts logged.</summary>
    Task<IReadOnlyList<Alert>> EvaluateAsync(IdentityEvent identityEvent);
}
