using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Grains.Logs;

namespace VideoFace.Grains.Tests;

/// <summary>
/// The outbox's rules without a grain: items go out in order up to the first failure, what went out leaves the list,
/// what did not is retried after a delay, and the list's new length is saved in a turn of its own.
/// </summary>
public sealed class OutboxTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    private readonly List<string> _pending = [];
    private readonly List<string> _published = [];
    private readonly List<TimeSpan> _scheduled = [];
    private int _saves;
    private int _failAt = int.MaxValue; // the publish with this index (0-based, over the whole test) fails
    private bool _saveFails;

    private Outbox<string> Create() => new(() => _pending,
        item =>
        {
            if (_published.Count == _failAt) throw new InvalidOperationException("stream unavailable");
            _published.Add(item);
            return Task.CompletedTask;
        },
        () =>
        {
            if (_saveFails) throw new IOException("storage unavailable");
            _saves++;
            return Task.CompletedTask;
        },
        due => _scheduled.Add(due), Retry, NullLogger.Instance, "test");

    [Fact]
    public async Task Flush_AllPublished_EmptiesTheListAndSavesAtTheNextTurn()
    {
        var outbox = Create();
        _pending.AddRange(["a", "b", "c"]);

        await outbox.FlushAsync();

        Assert.Equal(["a", "b", "c"], _published);
        Assert.Empty(_pending);
        Assert.Equal([TimeSpan.Zero], _scheduled);
        Assert.Equal(0, _saves); // the caller's write already happened; the removal is saved in the turn

        await outbox.TurnAsync();
        Assert.Equal(1, _saves);
        await outbox.TurnAsync();
        Assert.Equal(1, _saves); // nothing new was sent
    }

    [Fact]
    public async Task Flush_PublishFails_KeepsTheRestInOrderAndRetriesThem()
    {
        var outbox = Create();
        _pending.AddRange(["a", "b", "c"]);
        _failAt = 1;

        await outbox.FlushAsync();

        Assert.Equal(["a"], _published);
        Assert.Equal(["b", "c"], _pending);
        Assert.Equal([Retry], _scheduled);

        _failAt = int.MaxValue;
        await outbox.TurnAsync();
        Assert.Equal(["a", "b", "c"], _published);
        Assert.Empty(_pending);
        Assert.Equal([Retry, TimeSpan.Zero], _scheduled);
        await outbox.TurnAsync();
        Assert.Equal(1, _saves);
    }

    [Fact]
    public async Task Flush_Empty_DoesNothing()
    {
        await Create().FlushAsync();

        Assert.Empty(_published);
        Assert.Empty(_scheduled);
    }

    [Fact]
    public async Task SaveSent_StorageFails_IsRetriedAfterTheDelay()
    {
        var outbox = Create();
        _pending.Add("a");
        await outbox.FlushAsync();
        _saveFails = true;

        await outbox.TurnAsync();

        Assert.Equal([TimeSpan.Zero, Retry], _scheduled);
        _saveFails = false;
        await outbox.TurnAsync();
        Assert.Equal(1, _saves);
    }

    [Fact]
    public async Task SaveSent_OnDeactivation_FailsWithoutScheduling()
    {
        var outbox = Create();
        _pending.Add("a");
        await outbox.FlushAsync();
        _saveFails = true;

        await outbox.SaveSentAsync(retryOnFailure: false);

        Assert.Equal([TimeSpan.Zero], _scheduled);
        Assert.Equal(0, _saves);
    }
}
