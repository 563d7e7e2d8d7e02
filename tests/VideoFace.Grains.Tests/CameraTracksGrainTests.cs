using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Grains.Tests.Support;
using VideoFace.Index;
using VideoFace.Testing;

namespace VideoFace.Grains.Tests;

/// <summary>
/// <see cref="ICameraTracksGrain"/> on one embedded-profile silo without devices (real SQLite state, identity grains and
/// vector index), driven as camera sessions drive it: what one session left open, the next one closes.
/// </summary>
public sealed class CameraTracksGrainTests : IAsyncLifetime
{
    private const string Camera = "gate";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentQueue<IdentityEvent> _events = new();
    private TestSilo _silo = null!;

    private IClusterClient Client => _silo.Client;
    private ICameraTracksGrain Tracks => Client.GetGrain<ICameraTracksGrain>(Camera);
    private ISightingIndex Index => _silo.Services.GetRequiredService<ISightingIndex>();

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync("camera-tracks");
        await Client.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey))
            .SubscribeAsync((e, _) =>
            {
                _events.Enqueue(e);
                return Task.CompletedTask;
            });
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task BeginSession_PreviousSessionLeftATrackOpen_EndsItInterruptedAtLastSeenEverywhere()
    {
        var epoch = await Tracks.BeginSessionAsync();
        await OpenAsync(epoch, "p-ann", "t1", minute: 0);
        await Tracks.SeenAsync(epoch, "t1", T0.AddMinutes(3));
        await Index.UpsertAsync([new Sighting("t1", Axis(0), Camera, T0, null, "t1", "p-ann", "Ann", 0.9f, null)]);
        Assert.True((await Identity("p-ann").GetSummaryAsync()).Visible);

        // the session dies without a word; the camera's next session starts
        var next = await Tracks.BeginSessionAsync();

        Assert.Equal(epoch + 1, next);
        Assert.Empty((await Tracks.GetAsync()).Open);
        var entry = Assert.Single(await Identity("p-ann").GetHistoryAsync());
        Assert.Equal((T0.AddMinutes(3), TrackEndReason.Interrupted), (entry.End, entry.EndReason));
        Assert.False((await Identity("p-ann").GetSummaryAsync()).Visible);
        Assert.Equal(T0.AddMinutes(3), (await Index.GetAsync("t1"))!.End);
        await Poll.UntilAsync(() => _events.Any(e => e is { Kind: IdentityEventKind.Left, TrackId: "t1" }), TimeSpan.FromSeconds(10),
            "the interrupted track's Left is published");
    }

    [Fact]
    public async Task OpenedAsync_FromASupersededSession_IsRefusedAndNothingIsRecorded()
    {
        var old = await Tracks.BeginSessionAsync();
        var current = await Tracks.BeginSessionAsync();

        Assert.False(await Tracks.OpenedAsync(old, Track("t9", "p-bob", 0)));
        Assert.True(await Tracks.OpenedAsync(current, Track("t10", "p-bob", 0)));
        Assert.Equal(["t10"], (await Tracks.GetAsync()).Open.Select(t => t.TrackId));
        // and a superseded session cannot close the current session's tracks wholesale
        Assert.Equal(0, await Tracks.CloseAllAsync(old, TrackEndReason.Stopped));
    }

    [Fact]
    public async Task BeginSession_EndAlreadyDeliveredBeforeTheCrash_KeepsTheTracksOwnEndAndPublishesNoSecondLeft()
    {
        var epoch = await Tracks.BeginSessionAsync();
        await OpenAsync(epoch, "p-cy", "t2", minute: 0);
        // the identity heard the end, then the process died before the camera's record was updated
        await Identity("p-cy").TrackEndedAsync(new TrackSighting(Camera, "t2", T0, T0.AddMinutes(1), 0.9f, null, null, EndReason: TrackEndReason.Left));
        var before = await Identity("p-cy").GetSummaryAsync();

        var next = await Tracks.BeginSessionAsync();

        var entry = Assert.Single(await Identity("p-cy").GetHistoryAsync());
        Assert.Equal((T0.AddMinutes(1), TrackEndReason.Left), (entry.End, entry.EndReason));
        var after = await Identity("p-cy").GetSummaryAsync();
        Assert.Equal((before.Sightings, before.LastSeen, before.Visible), (after.Sightings, after.LastSeen, after.Visible));
        Assert.Empty((await Tracks.GetAsync()).Open);
        // events of one stream arrive in order: once a later track's Left is in, a second Left of t2 would be too
        await OpenAsync(next, "p-cy", "t2b", minute: 5);
        await Tracks.CloseAllAsync(next, TrackEndReason.Stopped);
        await Poll.UntilAsync(() => _events.Any(e => e is { Kind: IdentityEventKind.Left, TrackId: "t2b" }), TimeSpan.FromSeconds(10), "t2b's Left arrives");
        Assert.Single(_events, e => e is { Kind: IdentityEventKind.Left, TrackId: "t2" });
    }

    [Fact]
    public async Task CloseAll_CameraStoppedWhileItsSessionWasGone_EndsEveryOpenTrackAsStopped()
    {
        var epoch = await Tracks.BeginSessionAsync();
        await OpenAsync(epoch, "p-dee", "t3", minute: 0);
        await OpenAsync(epoch, "p-eve", "t4", minute: 1);

        Assert.Equal(2, await Tracks.CloseAllAsync(null, TrackEndReason.Stopped));

        foreach (var id in new[] { "p-dee", "p-eve" })
        {
            Assert.Equal(TrackEndReason.Stopped, Assert.Single(await Identity(id).GetHistoryAsync()).EndReason);
            Assert.False((await Identity(id).GetSummaryAsync()).Visible);
        }
        Assert.Equal(0, await Tracks.CloseAllAsync(null, TrackEndReason.Stopped));
    }

    /// <summary>What a camera session does when a track starts: record it with the camera, then tell its identity.</summary>
    private async Task OpenAsync(long epoch, string identityId, string trackId, int minute)
    {
        Assert.True(await Tracks.OpenedAsync(epoch, Track(trackId, identityId, minute)));
        await Identity(identityId).SetNameAsync(identityId);
        await Identity(identityId).TrackStartedAsync(new TrackSighting(Camera, trackId, T0.AddMinutes(minute), null, 0.9f, null));
    }

    private static OpenTrack Track(string trackId, string identityId, int minute) =>
        new(trackId, identityId, T0.AddMinutes(minute), T0.AddMinutes(minute), 0.9f, null, null);

    private IIdentityGrain Identity(string id) => Client.GetGrain<IIdentityGrain>(id);

    private static float[] Axis(int i)
    {
        var v = new float[512];
        v[i] = 1;
        return v;
    }
}
