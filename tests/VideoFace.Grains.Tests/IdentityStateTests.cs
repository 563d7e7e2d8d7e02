using Microsoft.Extensions.Logging.Abstractions;
using VideoFace.Abstractions;
using VideoFace.Grains.Identity;

namespace VideoFace.Grains.Tests;

/// <summary>What an identity's state keeps across an erase, a merge and a new enrolment, and which reports it refuses.</summary>
public sealed class IdentityStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static TrackSighting Track(long incarnation) => new("gate", "t1", T0, null, 0.8f, null, Incarnation: incarnation);

    private static IdentityState Seen() => new()
    {
        Name = "Ann",
        History = [Track(3)],
        Sightings = 1,
        ErasedThrough = 2,
        Outbox = [IdentityEvents.Create(NullLogger.Instance, IdentityEventKind.Appeared, "p-ann", "Ann", Track(3), T0, null)],
    };

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, true)]
    [InlineData(3, false)]
    public void Refuses_TracksOfAnErasedIncarnation(long incarnation, bool refused)
    {
        Assert.Equal(refused, Seen().Refuses(Track(incarnation)));
        Assert.False(new IdentityState().Refuses(Track(incarnation)));
    }

    [Fact]
    public void ErasedThroughIncarnation_KeepsNothingButTheNewestErasedIncarnation()
    {
        var erased = Seen().ErasedThroughIncarnation(1);

        Assert.True(erased.Erased);
        Assert.Equal(2, erased.ErasedThrough); // never lowered
        Assert.Equal(5, Seen().ErasedThroughIncarnation(5).ErasedThrough);
        Assert.Null(erased.Name);
        Assert.Empty(erased.History);
        Assert.Empty(erased.Outbox); // its events would name someone erased
        Assert.True(erased.Refuses(Track(9)));
    }

    [Fact]
    public void MergedAway_ForwardsAndStillOwesItsEvents()
    {
        var before = Seen();

        var merged = before.MergedAway("p-bob");

        Assert.Equal("p-bob", merged.MergedInto);
        Assert.Empty(merged.History);
        Assert.Same(before.Outbox, merged.Outbox);
    }

    [Fact]
    public void Renewed_AfterErase_StartsAfreshKeepingTheErasedIncarnation()
    {
        var renewed = Seen().ErasedThroughIncarnation(4).Renewed("Ann");

        Assert.Equal(("Ann", false, 4L), (renewed.Name, renewed.Erased, renewed.ErasedThrough!.Value));
        Assert.Empty(renewed.History);
        Assert.True(renewed.Refuses(Track(4)));
        Assert.False(renewed.Refuses(Track(5)));
    }

    [Fact]
    public void Renewed_AfterMerge_StartsAfreshKeepingTheUnsentEvents()
    {
        var merged = Seen().MergedAway("p-bob");

        var renewed = merged.Renewed("Ann");

        Assert.Equal(("Ann", (string?)null), (renewed.Name, renewed.MergedInto));
        Assert.Empty(renewed.History);
        Assert.Same(merged.Outbox, renewed.Outbox);
    }
}
