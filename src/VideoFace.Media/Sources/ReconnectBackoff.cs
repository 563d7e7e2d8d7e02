namespace VideoFace.Media.Sources;

/// <summary>Exponential reconnect delays with random jitter, capped.</summary>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public static ReconnectBackoff From(MediaOptions options, Random? random = null) =>
        new(options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.ReconnectJitter, random);

    /// <summary>Delay before attempt <paramref name="attempt"/> (1 = first retry): initial·2^(attempt−1), capped, ±jitter.</summary>
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 30);
        var nominal = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        var spread = 1 + jitter * (2 * _random.NextDouble() - 1);
        return TimeSpan.FromMilliseconds(Math.Min(nominal * spread, max.TotalMilliseconds));
    }
}
