using Microsoft.Extensions.Time.Testing;
using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using static VideoFace.Alerts.Tests.Samples;

namespace VideoFace.Alerts.Tests;

public sealed class AlertCooldownsTests
{
    private readonly FakeTimeProvider _time = new(Monday0900Utc);
    private readonly AlertCooldowns _cooldowns = new(new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal));

    [Fact]
    public void SameTrack_SeenAgain_AlertsOnce()
    {
        var rule = Rule(AlertRuleKind.Enrolled, cooldown: TimeSpan.Zero);
        Assert.True(_cooldowns.TryFire(rule, Event(track: "t1"), _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(_cooldowns.TryFire(rule, Event(track: "t1"), _time.GetUtcNow()));
        Assert.True(_cooldowns.TryFire(rule, Event(track: "t2"), _time.GetUtcNow()));
    }

    [Fact]
    public void SameIdentity_NewTrackWithinCooldown_IsSuppressedUntilItPasses()
    {
        var rule = Rule(AlertRuleKind.Enrolled, cooldown: TimeSpan.FromSeconds(60));
        Assert.True(_cooldowns.TryFire(rule, Event(track: "t1"), _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(_cooldowns.TryFire(rule, Event(track: "t2"), _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(_cooldowns.TryFire(rule, Event(track: "t3"), _time.GetUtcNow()));
    }

    [Fact]
    public void Cooldown_IsPerRuleAndPerIdentity()
    {
        var a = Rule(AlertRuleKind.Enrolled, id: "a");
        var b = Rule(AlertRuleKind.Enrolled, id: "b");
        var now = _time.GetUtcNow();
        Assert.True(_cooldowns.TryFire(a, Event(track: "t1"), now));
        Assert.True(_cooldowns.TryFire(b, Event(track: "t1"), now));
        Assert.True(_cooldowns.TryFire(a, Event(identityId: "p-colin", name: "Colin Powell", track: "t2"), now));
        Assert.False(_cooldowns.TryFire(a, Event(track: "t3"), now));
    }

    [Fact]
    public void CanFire_DoesNotRecord()
    {
        var rule = Rule(AlertRuleKind.Enrolled);
        Assert.True(_cooldowns.CanFire(rule, Event(track: "t1"), _time.GetUtcNow()));
        Assert.True(_cooldowns.CanFire(rule, Event(track: "t1"), _time.GetUtcNow()));
        Assert.Empty(_cooldowns.Expiries);
    }

    [Fact]
    public void Prune_AfterTrackMemory_ForgetsEverything()
    {
        var rule = Rule(AlertRuleKind.Enrolled);
        _cooldowns.TryFire(rule, Event(track: "t1"), _time.GetUtcNow());
        Assert.Equal(2, _cooldowns.Expiries.Count);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, _cooldowns.Prune(_time.GetUtcNow())); // the identity cooldown
        _time.Advance(AlertCooldowns.TrackMemory);
        Assert.Equal(1, _cooldowns.Prune(_time.GetUtcNow())); // the track
        Assert.Empty(_cooldowns.Expiries);
    }
}
