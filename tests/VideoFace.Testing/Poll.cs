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

    /// <summary>
    /// Polls an asynchronous condition that may throw while a system settles (a cluster reconfiguring, a grain not yet
    /// placed); exceptions accepted by <paramref name="transient"/> count as "not yet" and the last one is named in the
    /// timeout, together with whatever <paramref name="describe"/> adds (e.g. the processes' last output).
    /// </summary>
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string because,
        Func<Exception, bool>? transient = null, Func<string>? describe = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false)) return;
            }
            catch (Exception ex) when (transient?.Invoke(ex) ?? true)
            {
                last = ex;
            }
            if (DateTime.UtcNow > deadline)
            {
                var detail = describe is null ? "" : "\n" + describe();
                throw new TimeoutException(
                    $"timed out after {timeout.TotalSeconds:0.#} s waiting until {because}; last error: {last?.Message ?? "none"}{detail}", last);
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
    }
}
