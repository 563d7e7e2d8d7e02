namespace VideoFace.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting until {because}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }
}
