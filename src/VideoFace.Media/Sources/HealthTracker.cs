using Microsoft.Extensions.Logging;
using VideoFace.Media.Health;

namespace VideoFace.Media.Sources;

/// <summary>Holds a source's current health and its recent transitions, and announces changes.</summary>
internal sealed class HealthTracker(string source, TimeProvider time, ILogger logger)
{
    private const int HistoryLimit = 256;
    private readonly Lock _gate = new();
    private readonly List<SourceHealth> _history = [];
    private SourceHealth _current = SourceHealth.Initial(time.GetUtcNow());

    public event Action<SourceHealth>? Changed;

    public SourceHealth Current
    {
        get { lock (_gate) return _current; }
    }

    public IReadOnlyList<SourceHealth> History
    {
        get { lock (_gate) return _history.ToArray(); }
    }

    public void Set(HealthState state, HealthReason reason = HealthReason.None, string? message = null, DateTimeOffset? retryAt = null)
    {
        SourceHealth previous, next;
        lock (_gate)
        {
            previous = _current;
            if (previous.State == state && previous.Reason == reason && previous.RetryAt == retryAt) return;
            next = new SourceHealth(state, reason, message, time.GetUtcNow(), retryAt);
            _current = next;
            if (_history.Count == HistoryLimit) _history.RemoveAt(0);
            _history.Add(next);
        }
        logger.HealthChanged(source, previous.State, state, reason, message);
        Changed?.Invoke(next);
    }
}
