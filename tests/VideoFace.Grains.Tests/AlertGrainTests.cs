using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.Streams;
using Orleans.TestingHost;
using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Alerts;
using VideoFace.Testing;
using static VideoFace.Alerts.Tests.Samples;

namespace VideoFace.Grains.Tests;

/// <summary>One in-process silo with memory storage and streams; the alert grains' clock is a fake one shared with the tests.</summary>
public sealed class AlertClusterFixture : IAsyncLifetime
{
    public static readonly FakeTimeProvider Time = new(Monday0900Utc);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(Names.Storage);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddMemoryStreams(Names.StreamProvider);
            silo.Services.AddKeyedSingleton<TimeProvider>(AlertOptions.ClockKey, Time);
            silo.Services.AddSingleton(Options.Create(new AlertOptions { LogCapacity = 5 }));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(Names.StreamProvider));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class AlertGrainTests(AlertClusterFixture fx) : IClassFixture<AlertClusterFixture>
{
    private IClusterClient Client => fx.Cluster.Client;

    [Fact]
    public async Task Evaluator_MatchingEvents_LogsAlertsWithIncreasingSequencesAndDropsRedeliveries()
    {
        await Rules().AddAsync(Rule(AlertRuleKind.Person, personId: "p-g1", id: "g1", cooldown: TimeSpan.Zero));
        var evaluator = Client.GetGrain<IAlertEvaluatorGrain>("direct-1");
        var before = await Log().GetLatestSequenceAsync();

        var first = Event(identityId: "p-g1", track: "g1-t1");
        var a1 = Assert.Single(await evaluator.EvaluateAsync(first));
        Assert.Empty(await evaluator.EvaluateAsync(first)); // the same event again: deduped per track
        // a fresh evaluator (no cooldown memory) seeing the same event: same alert id, the log drops it
        Assert.Empty(await Client.GetGrain<IAlertEvaluatorGrain>("direct-2").EvaluateAsync(first));
        var a2 = Assert.Single(await evaluator.EvaluateAsync(Event(identityId: "p-g1", track: "g1-t2")));
        Assert.Empty(await evaluator.EvaluateAsync(Event(identityId: "p-g1", track: "g1-t3", kind: IdentityEventKind.Left)));

        Assert.Equal(before + 1, a1.Sequence);
        Assert.Equal(before + 2, a2.Sequence);
        Assert.Equal("g1", a1.RuleId);
        Assert.Equal("g1-t1", a1.TrackId);
        var read = await Log().ReadAsync(before, 100);
        Assert.Equal([a1.AlertId, a2.AlertId], read.Select(a => a.AlertId));
        Assert.Equal([a2.AlertId], (await Log().ReadAsync(a1.Sequence, 100)).Select(a => a.AlertId));
        await Rules().RemoveAsync("g1");
    }

    [Fact]
    public async Task Evaluator_CooldownPerIdentity_FollowsTheClock()
    {
        await Rules().AddAsync(Rule(AlertRuleKind.Person, personId: "p-g2", id: "g2", cooldown: TimeSpan.FromSeconds(60)));
        var evaluator = Client.GetGrain<IAlertEvaluatorGrain>("direct-3");
        Assert.Single(await evaluator.EvaluateAsync(Event(identityId: "p-g2", track: "g2-t1")));
        AlertClusterFixture.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await evaluator.EvaluateAsync(Event(identityId: "p-g2", track: "g2-t2")));
        AlertClusterFixture.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Single(await evaluator.EvaluateAsync(Event(identityId: "p-g2", track: "g2-t3")));
        await Rules().RemoveAsync("g2");
    }

    [Fact]
    public async Task IdentityStream_EventPublished_AlertArrivesOnTheAlertsStream()
    {
        await Rules().AddAsync(Rule(AlertRuleKind.Unknown, cameras: ["C9"], id: "g3"));
        var received = new System.Collections.Concurrent.ConcurrentQueue<Alert>();
        var provider = Client.GetStreamProvider(Names.StreamProvider);
        var handle = await provider.GetStream<Alert>(StreamId.Create(AlertNames.AlertsNamespace, AlertNames.AllAlertsKey))
            .SubscribeAsync((a, _) => { received.Enqueue(a); return Task.CompletedTask; });
        try
        {
            var identities = provider.GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
            await identities.OnNextAsync(Event(identityId: "u-g3", name: null, camera: "C1", track: "g3-t1")); // wrong camera
            await identities.OnNextAsync(Event(identityId: "u-g3", name: null, camera: "C9", track: "g3-t2"));
            await Poll.UntilAsync(() => Log().RecentAsync(100).GetAwaiter().GetResult().Any(a => a.RuleId == "g3"), TimeSpan.FromSeconds(15),
                "the evaluator (implicit subscriber of the identity stream) logged the unknown-on-C9 alert", TimeSpan.FromMilliseconds(100));
            await Poll.UntilAsync(() => received.Any(a => a.RuleId == "g3"), TimeSpan.FromSeconds(15), "the unknown-on-C9 alert is on the alerts stream");
            var alert = Assert.Single(received, a => a.RuleId == "g3");
            Assert.Equal("C9", alert.CameraId);
            Assert.Null(alert.IdentityName);
            Assert.True(alert.Sequence > 0);
        }
        finally
        {
            await handle.UnsubscribeAsync();
            await Rules().RemoveAsync("g3");
        }
    }

    [Fact]
    public async Task Log_BeyondCapacity_KeepsTheNewestAndNeverReusesSequences()
    {
        var log = Client.GetGrain<IAlertLogGrain>("capacity");
        var appended = new List<Alert>();
        for (int i = 0; i < 8; i++)
            appended.AddRange(await log.AppendAsync([AlertRules.Create(Rule(AlertRuleKind.Enrolled, id: "cap"), Event(eventId: "cap-" + i, time: AlertClusterFixture.Time.GetUtcNow()))]));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), appended.Select(a => a.Sequence));
        var kept = await log.ReadAsync(0, 100);
        Assert.Equal([4L, 5, 6, 7, 8], kept.Select(a => a.Sequence));
        Assert.Equal(8, await log.GetLatestSequenceAsync());
        Assert.Equal([7L, 8], (await log.RecentAsync(2)).Select(a => a.Sequence));
    }

    [Fact]
    public async Task Rules_Invalid_AreRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Rules().AddAsync(Rule(AlertRuleKind.Person, id: "g5")));
        Assert.Null(await Rules().GetAsync("g5"));
    }

    private IAlertRulesGrain Rules() => Client.GetGrain<IAlertRulesGrain>(AlertNames.Default);

    private IAlertLogGrain Log() => Client.GetGrain<IAlertLogGrain>(AlertNames.Default);
}
