using VideoFace.Grains.Logs;

namespace VideoFace.Grains.Tests;

/// <summary>The shared rules of the event and alert logs: one item per id while kept, reads by sequence, trimming.</summary>
public sealed class SequencedLogTests
{
    private sealed record Item(long Sequence, string Id, int Age = 0);

    private static SequencedLog<Item> Log(List<Item> items) => new(items, i => i.Id, i => i.Sequence);

    private static List<Item> Items(int count) => Enumerable.Range(1, count).Select(n => new Item(n, $"e{n}")).ToList();

    [Fact]
    public void Add_IdAlreadyKept_IsRefusedAndNothingIsAdded()
    {
        var items = Items(2);
        var log = Log(items);

        Assert.True(log.Contains("e2"));
        Assert.False(log.Add(new Item(3, "e2")));
        Assert.Equal(2, items.Count);
        Assert.True(log.Add(new Item(3, "e3")));
        Assert.Equal(["e1", "e2", "e3"], items.Select(i => i.Id));
    }

    [Fact]
    public void Add_SequenceNotAfterTheLast_Throws()
    {
        var log = Log(Items(3));

        Assert.Throws<ArgumentException>(() => log.Add(new Item(3, "x")));
    }

    [Theory]
    [InlineData(0, 10, new long[] { 1, 2, 3, 4, 5 })]
    [InlineData(2, 2, new long[] { 3, 4 })]
    [InlineData(5, 10, new long[0])]
    [InlineData(-7, 1, new long[] { 1 })]
    [InlineData(1, -1, new long[0])]
    public void After_ReturnsTheItemsAfterASequenceUpToMax(long after, int max, long[] expected)
    {
        var log = Log(Items(5));

        Assert.Equal(expected, log.After(after, max).Select(i => i.Sequence));
    }

    [Fact]
    public void After_GapsInSequences_StartsAtTheFirstLaterOne()
    {
        var log = Log([new Item(2, "a"), new Item(5, "b"), new Item(9, "c")]);

        Assert.Equal(["b", "c"], log.After(3, 10).Select(i => i.Id));
    }

    [Theory]
    [InlineData(2, new long[] { 4, 5 })]
    [InlineData(9, new long[] { 1, 2, 3, 4, 5 })]
    [InlineData(-1, new long[0])]
    public void Newest_ReturnsTheLastItemsOldestFirst(int count, long[] expected)
    {
        Assert.Equal(expected, Log(Items(5)).Newest(count).Select(i => i.Sequence));
    }

    [Fact]
    public void RemoveAll_ForgetsTheIds_SoTheyMayBeLoggedAgain()
    {
        var items = Items(4);
        var log = Log(items);

        var removed = log.RemoveAll(i => i.Sequence % 2 == 0);

        Assert.Equal(["e2", "e4"], removed.Select(i => i.Id));
        Assert.Equal(["e1", "e3"], items.Select(i => i.Id));
        Assert.False(log.Contains("e2"));
        Assert.True(log.Add(new Item(5, "e2")));
        Assert.Empty(log.RemoveAll(_ => false));
    }

    [Fact]
    public void Trim_OverCapacity_DropsTheOldest()
    {
        var items = Items(5);
        var log = Log(items);

        var dropped = log.Trim(3);

        Assert.Equal(["e1", "e2"], dropped.Select(i => i.Id));
        Assert.Equal(["e3", "e4", "e5"], items.Select(i => i.Id));
        Assert.False(log.Contains("e1"));
        Assert.Empty(log.Trim(3));
    }

    [Fact]
    public void Trim_Expired_DropsOldestWhileExpiredEvenUnderCapacity()
    {
        var items = new List<Item> { new(1, "a", 9), new(2, "b", 8), new(3, "c", 1), new(4, "d", 9) };
        var log = Log(items);

        var dropped = log.Trim(10, i => i.Age > 5);

        // only from the oldest end: "d" is old too, but a younger one stands before it
        Assert.Equal(["a", "b"], dropped.Select(i => i.Id));
        Assert.Equal(["c", "d"], items.Select(i => i.Id));
    }
}
