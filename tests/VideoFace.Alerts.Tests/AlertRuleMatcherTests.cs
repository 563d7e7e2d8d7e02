using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using static VideoFace.Alerts.Tests.Samples;

namespace VideoFace.Alerts.Tests;

public sealed class AlertRuleMatcherTests
{
    [Fact]
    public void PersonRule_ByIdentityId_MatchesThatIdentityOnAnyCamera()
    {
        var rule = Rule(AlertRuleKind.Person, personId: "p-tony");
        Assert.True(AlertRuleMatcher.Matches(rule, Event(camera: "C1")));
        Assert.True(AlertRuleMatcher.Matches(rule, Event(camera: "C7")));
        Assert.False(AlertRuleMatcher.Matches(rule, Event(identityId: "p-colin", name: "Colin Powell")));
    }

    [Fact]
    public void PersonRule_ByName_MatchesIgnoringCaseAndUnderscores()
    {
        var rule = Rule(AlertRuleKind.Person, personName: "tony_blair");
        Assert.True(AlertRuleMatcher.Matches(rule, Event(name: "Tony Blair")));
        Assert.False(AlertRuleMatcher.Matches(rule, Event(identityId: "u-1", name: null)));
    }

    [Fact]
    public void UnknownRule_MatchesOnlyUnnamedIdentities()
    {
        var rule = Rule(AlertRuleKind.Unknown);
        Assert.True(AlertRuleMatcher.Matches(rule, Event(identityId: "u-abc", name: null)));
        Assert.False(AlertRuleMatcher.Matches(rule, Event()));
    }

    [Fact]
    public void EnrolledRule_MatchesOnlyNamedIdentities()
    {
        var rule = Rule(AlertRuleKind.Enrolled);
        Assert.True(AlertRuleMatcher.Matches(rule, Event()));
        Assert.False(AlertRuleMatcher.Matches(rule, Event(identityId: "u-abc", name: null)));
    }

    [Fact]
    public void CameraList_OtherCamera_DoesNotMatch()
    {
        var rule = Rule(AlertRuleKind.Unknown, cameras: ["C2", "C3"]);
        Assert.False(AlertRuleMatcher.Matches(rule, Event(identityId: "u-1", name: null, camera: "C1")));
        Assert.True(AlertRuleMatcher.Matches(rule, Event(identityId: "u-1", name: null, camera: "C3")));
    }

    [Theory]
    [InlineData(IdentityEventKind.Appeared, true)]
    [InlineData(IdentityEventKind.MovedCamera, true)]
    [InlineData(IdentityEventKind.Left, false)]
    [InlineData(IdentityEventKind.Retracted, false)]
    public void EventKind_OnlyAppearedAndMovedCamera_Alert(IdentityEventKind kind, bool matches) =>
        Assert.Equal(matches, AlertRuleMatcher.Matches(Rule(AlertRuleKind.Enrolled), Event(kind: kind)));

    [Fact]
    public void TimeWindow_EventOutsideWindow_DoesNotMatch()
    {
        var rule = Rule(AlertRuleKind.Enrolled, windows: [AlertWindows.Parse("Mon-Fri 08:00-18:00 Europe/Paris")]);
        Assert.True(AlertRuleMatcher.Matches(rule, Event(time: Monday0900Utc)));               // 11:00 in Paris
        Assert.False(AlertRuleMatcher.Matches(rule, Event(time: Monday0900Utc.AddHours(9))));  // 20:00 in Paris
    }

    [Fact]
    public void AlertId_SameRuleAndEvent_IsStable()
    {
        Assert.Equal(AlertRules.AlertId("r1", "e1"), AlertRules.AlertId("r1", "e1"));
        Assert.NotEqual(AlertRules.AlertId("r1", "e1"), AlertRules.AlertId("r2", "e1"));
    }

    [Fact]
    public void Validate_BadRules_SayWhatIsWrong()
    {
        Assert.Empty(AlertRules.Validate(Rule(AlertRuleKind.Person, personName: "Tony")));
        Assert.Contains(AlertRules.Validate(Rule(AlertRuleKind.Person)), e => e.Contains("person", StringComparison.Ordinal));
        Assert.Contains(AlertRules.Validate(Rule(AlertRuleKind.Unknown) with { Webhook = new AlertWebhook("ftp://x", "s") }), e => e.Contains("http", StringComparison.Ordinal));
        Assert.Contains(AlertRules.Validate(Rule(AlertRuleKind.Unknown) with { Webhook = new AlertWebhook("http://x/hook", "") }), e => e.Contains("secret", StringComparison.Ordinal));
        Assert.Contains(AlertRules.Validate(Rule(AlertRuleKind.Unknown, id: "bad id")), e => e.Contains("rule id", StringComparison.Ordinal));
    }
}
