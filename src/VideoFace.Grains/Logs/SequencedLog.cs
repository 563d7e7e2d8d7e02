namespace VideoFace.Grains.Logs;

/// <summary>
/// The rules of a persisted, numbered, bounded log (the identity-event log and the alert log): items oldest first with
/// ascending sequences, each id logged once while it is kept (streams deliver at least once), reads after a sequence
/// or of the newest, removals by predicate and trimming from the oldest end. It works on the grain's persisted list
/// and knows nothing of Orleans; the grain assigns sequences and writes its state.
/// </summary>
public sealed class SequencedLog<T>
{
    private readonly List<T> _items;
    private readonly Func<T, string> _id;
    private readonly Func<T, long> _sequence;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <param name="items">The persisted items, oldest first; changed in place.</param>
    /// <param name="id">An item's id, fixed once by its producer (what a redelivery repeats).</param>
    /// <param name="sequence">An item's sequence in the log.</param>
    public SequencedLog(List<T> items, Func<T, string> id, Func<T, long> sequence)
    {
        _items = items;
        _id = id;
        _sequence = sequence;
        foreach (var item in items) _ids.Add(id(item));
    }

    public int Count => _items.Count;

    /// <summary>Whether an item with this id is kept (so one arriving again is a copy).</summary>
    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Appends an item numbered after every kept one; false (and nothing added) when its id is kept already.</summary>
    public bool Add(T item)
    {
        if (_items.Count > 0 && _sequence(item) <= _sequence(_items[^1]))
            throw new ArgumentException($"sequence {_sequence(item)} is not after the last one, {_sequence(_items[^1])}", nameof(item));
        if (!_ids.Add(_id(item))) return false;
        _items.Add(item);
        return true;
    }

    /// <summary>Up to <paramref name="max"/> items with a sequence after <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<T> After(long afterSequence, int max)
    {
        // sequences ascend through the list: binary search for the first one after afterSequence
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_sequence(_items[mid]) <= afterSequence) lo = mid + 1;
            else hi = mid;
        }
        return _items.GetRange(lo, Math.Min(Math.Max(0, max), _items.Count - lo));
    }

    /// <summary>The newest <paramref name="count"/> items (fewer when fewer are kept), oldest first.</summary>
    public IReadOnlyList<T> Newest(int count)
    {
        int n = Math.Clamp(count, 0, _items.Count);
        return _items.GetRange(_items.Count - n, n);
    }

    /// <summary>Removes every item that matches; returns them (their ids may arrive again as new items).</summary>
    public IReadOnlyList<T> RemoveAll(Predicate<T> match)
    {
        var removed = _items.FindAll(match);
        if (removed.Count == 0) return [];
        _items.RemoveAll(match);
        foreach (var item in removed) _ids.Remove(_id(item));
        return removed;
    }

    /// <summary>
    /// Drops the oldest items until at most <paramref name="capacity"/> are kept, then goes on dropping oldest ones while
    /// <paramref name="expired"/> says so; returns what was dropped.
    /// </summary>
    public IReadOnlyList<T> Trim(int capacity, Func<T, bool>? expired = null)
    {
        int drop = Math.Max(0, _items.Count - Math.Max(0, capacity));
        while (expired is not null && drop < _items.Count && expired(_items[drop])) drop++;
        if (drop == 0) return [];
        var dropped = _items.GetRange(0, drop);
        _items.RemoveRange(0, drop);
        foreach (var item in dropped) _ids.Remove(_id(item));
        return dropped;
    }
}
