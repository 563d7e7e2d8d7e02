using VideoFace.Abstractions;
using VideoFace.Alerts;

namespace VideoFace.Alerts.Tests;

/// <summary>Request → rule, without a server: what each kind of draft becomes and what a bad one is told.</summary>
public sealed class AlertRuleDraftsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly AlertOptions Defaults = new();

    private static AlertRuleDraft Draft(string? kind = null, string? person = null, string?[]? cameras = null, string?[]? windows = null,
        double? cooldown = null, string? url = null, string? secret = null, string? name = null, string? id = null) =>
        new(id, name, kind, person, cameras ?? [], windows ?? [], cooldown, url, secret);

    private static Task<(string? Id, string? Name)> Directory(string person) => Task.FromResult(person switch
    {
        "p-tony-blair" or "Tony Blair" => ((string?)"p-tony-blair", (string?)"Tony Blair"),
        _ => (null, person),
    });

    private static Task<AlertRule> Build(AlertRuleDraft draft, AlertRule? existing = null) =>
        AlertRuleDrafts.ToRuleAsync(draft, Directory, Defaults, existing, Now);

    [Fact]
    public async Task Person_ByName_ResolvesToTheIdentity_NamedAfterPersonAndCameras()
    {
        var rule = await Build(Draft(person: " Tony Blair ", cameras: ["door", " door", "", "hall"]));
        Assert.Equal(AlertRuleKind.Person, rule.Kind);
        Assert.Equal(("p-tony-blair", "Tony Blair"), (rule.PersonId, rule.PersonName));
        Assert.Equal(["door", "hall"], rule.Cameras);
        Assert.Equal("Tony Blair on door, hall", rule.Name);
        Assert.Equal(Defaults.DefaultCooldown, rule.Cooldown);
        Assert.Equal(Now, rule.CreatedAt);
        Assert.StartsWith("r-", rule.Id);
    }

    [Fact]
    public async Task Person_NobodyYet_StaysAName()
    {
        var rule = await Build(Draft(kind: "person", person: "Someone New"));
        Assert.Equal((null, "Someone New"), (rule.PersonId, rule.PersonName));
    }

    [Fact]
    public async Task UnknownAndEnrolled_KindsWithWindowsAndCooldown()
    {
        var unknown = await Build(Draft(kind: "Unknown", windows: ["Mon-Fri 08:00-18:00 UTC"], cooldown: 90));
        Assert.Equal(AlertRuleKind.Unknown, unknown.Kind);
        Assert.Equal("unknown face anywhere", unknown.Name);
        Assert.Equal(TimeSpan.FromSeconds(90), unknown.Cooldown);
        Assert.Single(unknown.Windows);
        var enrolled = await Build(Draft(kind: "enrolled", cameras: ["door"], name: "  Staff at the door "));
        Assert.Equal(AlertRuleKind.Enrolled, enrolled.Kind);
        Assert.Equal("Staff at the door", enrolled.Name);
    }

    [Theory]
    [InlineData(null, null, null, null, null, "say what to watch")]
    [InlineData("robots", null, null, null, null, "unknown rule kind 'robots'")]
    [InlineData("unknown", "Tony Blair", null, null, null, "'person' only goes with kind 'person'")]
    [InlineData("unknown", null, -1.0, null, null, "cooldown_seconds must be between 0 and")]
    [InlineData("unknown", null, 1e12, null, null, "cooldown_seconds must be between 0 and")]
    [InlineData("unknown", null, double.NaN, null, null, "cooldown_seconds must be between 0 and")]
    [InlineData("unknown", null, null, null, "s3cret", "webhook_secret without webhook_url")]
    [InlineData("unknown", null, null, "http://hooks.example/a", null, "a webhook needs a secret")]
    [InlineData("unknown", null, null, "ftp://hooks.example/a", "s", "webhook url must be an absolute http(s) URL")]
    public async Task BadDrafts_SayWhatIsWrong(string? kind, string? person, double? cooldown, string? url, string? secret, string message)
    {
        var ex = await Assert.ThrowsAsync<FormatException>(() => Build(Draft(kind, person, cooldown: cooldown, url: url, secret: secret)));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public async Task BadWindow_AndBadId_AreFormatErrors()
    {
        await Assert.ThrowsAsync<FormatException>(() => Build(Draft(kind: "unknown", windows: ["Someday 25:00-26:00"])));
        var ex = await Assert.ThrowsAsync<FormatException>(() => Build(Draft(kind: "unknown", id: "no spaces allowed")));
        Assert.Contains("rule id", ex.Message);
    }

    [Fact]
    public async Task LongKind_IsEchoedShortened()
    {
        var ex = await Assert.ThrowsAsync<FormatException>(() => Build(Draft(kind: new string('k', 5000))));
        Assert.True(ex.Message.Length < 200, ex.Message);
    }

    [Fact]
    public async Task Edit_KeepsCreationTime_AndTheSecretForTheSameUrlOnly()
    {
        var created = await Build(Draft(kind: "unknown", url: "https://hooks.example/a", secret: "s3cret", id: "edit-me"));
        var later = Now.AddDays(1);
        var same = await AlertRuleDrafts.ToRuleAsync(Draft(kind: "unknown", url: "https://hooks.example/a", id: "edit-me"), Directory, Defaults, created, later);
        Assert.Equal("s3cret", same.Webhook!.Secret);
        Assert.Equal(Now, same.CreatedAt);
        // another URL without a secret: the old secret does not follow it
        var ex = await Assert.ThrowsAsync<FormatException>(() =>
            AlertRuleDrafts.ToRuleAsync(Draft(kind: "unknown", url: "https://elsewhere.example/b", id: "edit-me"), Directory, Defaults, created, later));
        Assert.Contains("a webhook needs a secret", ex.Message);
    }
}
