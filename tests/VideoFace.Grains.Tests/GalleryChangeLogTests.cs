using VideoFace.Abstractions;
using VideoFace.Grains.Gallery;

namespace VideoFace.Grains.Tests;

/// <summary>
/// The gallery's change log on its own: a new replica copies every person in pages, what changes meanwhile follows as
/// a delta, and a replica that fell behind the kept changes or follows another activation copies all again.
/// </summary>
public sealed class GalleryChangeLogTests
{
    private static readonly GallerySettings Settings = new(0.45f, 0.5f, "test-space", 2);

    [Fact]
    public void NewReplica_CopiesAllInPages_ThenGetsWhatChangedMeanwhile()
    {
        var persons = Persons(25);
        var log = new GalleryChangeLog(capacity: 100, pageSize: 10);
        foreach (var id in persons.Keys) log.Changed(id);

        var first = log.Next(new GalleryCursor(Guid.Empty, 0), persons, Settings);
        Assert.True(first.Reset);
        var copied = first.Upserts.Select(u => u.IdentityId).ToList();
        // an enrolment and an erase while the copy runs
        persons["p-new"] = Person("New");
        log.Changed("p-new");
        persons.Remove("p-03");
        log.Changed("p-03");

        var cursor = first.Next;
        while (cursor.After is not null)
        {
            var page = log.Next(cursor, persons, Settings);
            Assert.False(page.Reset);
            copied.AddRange(page.Upserts.Select(u => u.IdentityId));
            cursor = page.Next;
        }
        Assert.Equal(25, cursor.Version);
        var delta = log.Next(cursor, persons, Settings);
        Assert.Equal(["p-new"], delta.Upserts.Select(u => u.IdentityId));
        Assert.Equal(["p-03"], delta.Removed);
        Assert.Equal(27, delta.Next.Version);
        Assert.False(delta.More);
        Assert.Equal(copied.Distinct().Count(), copied.Count);
        Assert.Empty(log.Next(delta.Next, persons, Settings).Upserts);
    }

    [Fact]
    public void Replica_BehindTheKeptChangesOrOfAnotherActivation_CopiesAllAgain()
    {
        var persons = Persons(5);
        var log = new GalleryChangeLog(capacity: 4, pageSize: 10);
        foreach (var id in persons.Keys) log.Changed(id);
        var current = log.Next(new GalleryCursor(Guid.Empty, 0), persons, Settings).Next;
        Assert.False(log.Next(current, persons, Settings).Reset);

        for (int i = 0; i < 5; i++) log.Changed("p-00");
        Assert.True(log.Next(current, persons, Settings).Reset);
        Assert.True(log.Next(current with { Epoch = Guid.NewGuid() }, persons, Settings).Reset);
    }

    private static Dictionary<string, GalleryPerson> Persons(int n) =>
        Enumerable.Range(0, n).ToDictionary(i => $"p-{i:00}", i => Person($"P{i}"), StringComparer.Ordinal);

    private static GalleryPerson Person(string name) => new() { Name = name, Sum = [1, 0], Photos = 1, Incarnation = 1 };
}
