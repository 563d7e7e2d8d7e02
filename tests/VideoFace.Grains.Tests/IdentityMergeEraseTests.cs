using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Alerts;
using VideoFace.Grains.Tests.Support;
using VideoFace.Index;
using VideoFace.Storage;
using VideoFace.Testing;

namespace VideoFace.Grains.Tests;

/// <summary>
/// One embedded-profile silo without inference devices (no models needed): gallery, identity grains, the embedded
/// vector index and the local blob store exactly as a real silo composes them, driven with synthetic embeddings.
/// </summary>
public sealed class IdentityMergeEraseTests : IAsyncLifetime
{
    private const string Space = "test-space";
    private const int Dim = 512;
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private TestSilo _silo = null!;

    private IClusterClient Client => _silo.Client;
    private IGalleryGrain Gallery => Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);
    private IServiceProvider Silo => _silo.Services;
    private ISightingIndex Index => Silo.GetRequiredService<ISightingIndex>();
    private IBlobStore Blobs => Silo.GetRequiredService<IBlobStore>();
    private VideoFace.Hosting.FaceDataEraser Eraser => Silo.GetRequiredService<VideoFace.Hosting.FaceDataEraser>();

    public async Task InitializeAsync() =>
        _silo = await TestSilo.StartAsync("merge-erase");

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Merge_TwoUnknowns_TargetTakesHistorySightingsAndEmbedding_SourceForwardsLaterTracks()
    {
        var e1 = Axis(0);
        var e2 = Axis(1);
        var u1 = await Gallery.MatchTrackAsync(e1, Space);
        var u2 = await Gallery.MatchTrackAsync(e2, Space);
        Assert.True(u1.IsNewUnknown && u2.IsNewUnknown && u1.IdentityId != u2.IdentityId);
        await SeenAsync(u1.IdentityId, "c1", "t1", e1, minutes: 0);
        await SeenAsync(u2.IdentityId, "c2", "t2", e2, minutes: 10);
        await SeenAsync(u2.IdentityId, "c2", "t3", e2, minutes: 20, u2.Incarnation, end: false); // still open when merged

        var rules = Client.GetGrain<IAlertRulesGrain>(AlertNames.Default);
        await rules.AddAsync(new AlertRule("watch-u2", "the second stranger", AlertRuleKind.Person, u2.IdentityId, null, [], [],
            TimeSpan.FromMinutes(1), null, T0));

        var merged = await Gallery.MergeAsync(u2.IdentityId, u1.IdentityId);

        Assert.NotNull(merged);
        Assert.Equal(u1.IdentityId, merged.Id);
        Assert.Equal(3, merged.Sightings);
        Assert.Equal(["c1", "c2"], merged.Cameras);
        Assert.Equal(T0, merged.FirstSeen);
        Assert.True(merged.Visible, "the source's open track is open on the target");
        var ids = await Gallery.ListIdentitiesAsync();
        Assert.Contains(u1.IdentityId, ids);
        Assert.DoesNotContain(u2.IdentityId, ids);
        var history = await Client.GetGrain<IIdentityGrain>(u1.IdentityId).GetHistoryAsync();
        Assert.Equal(["t3", "t2", "t1"], history.Select(h => h.TrackId)); // newest first, by start time
        Assert.Equal(u1.IdentityId, (await Index.GetAsync("t2"))!.IdentityId);
        // the rule follows the merge: the source's Merged event reaches the alert evaluator over the identity-events stream
        await Poll.UntilAsync(async () => (await rules.GetAsync("watch-u2"))!.PersonId == u1.IdentityId, TimeSpan.FromSeconds(20),
            "the rule on the merged-away stranger to watch the target");
        // and the event log shows the merge once, naming where the stranger went
        var log = Client.GetGrain<IEventLogGrain>(Names.AllEventsKey);
        await Poll.UntilAsync(async () => (await log.RecentAsync(100)).Any(e => e.Event.Kind == IdentityEventKind.Merged), TimeSpan.FromSeconds(20),
            "the Merged event in the event log");
        var mergedEvent = Assert.Single(await log.RecentAsync(100), e => e.Event.Kind == IdentityEventKind.Merged).Event;
        Assert.Equal((u2.IdentityId, u1.IdentityId), (mergedEvent.IdentityId, mergedEvent.MovedToIdentityId));
        Assert.Empty(await Index.SearchAsync(new SightingQuery(e2, IdentityId: u2.IdentityId)));

        // the open track ends after the merge: the report reaches the target through the forwarding source
        await Client.GetGrain<IIdentityGrain>(u2.IdentityId).TrackEndedAsync(Sighting("c2", "t3", 20, end: true));
        var summary = await Client.GetGrain<IIdentityGrain>(u1.IdentityId).GetSummaryAsync();
        Assert.False(summary.Visible);
        Assert.Equal(3, summary.Sightings);
        Assert.Equal(T0.AddMinutes(21), summary.LastSeen);

        // the merged centroid now holds both faces: a new track of either joins the target
        Assert.Equal(u1.IdentityId, (await Gallery.MatchTrackAsync(e2, Space)).IdentityId);

        // merging again is refused (the source is gone); promotion names the sightings in the index too
        Assert.Null(await Gallery.MergeAsync(u2.IdentityId, u1.IdentityId));
        await Gallery.RenameAsync(u1.IdentityId, "Ada");
        Assert.Equal("Ada", (await Index.GetAsync("t2"))!.IdentityName);
    }

    [Fact]
    public async Task Merge_BadRequests_AreRefusedSayingWhy()
    {
        var person = (await Gallery.EnrollAsync("Grace", [Axis(5)], Space)).Person!;
        var unknown = await Gallery.MatchTrackAsync(Axis(6), Space);

        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.MergeAsync(unknown.IdentityId, unknown.IdentityId));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Gallery.MergeAsync(person.IdentityId, unknown.IdentityId));
        Assert.Contains("merge the unknown identity into the person", ex.Message);
        Assert.Null(await Gallery.MergeAsync("u-nobody", person.IdentityId));
        Assert.Null(await Gallery.MergeAsync(unknown.IdentityId, "p-nobody"));

        // an unknown into an enrolled person: the person's embedding grows, the unknown id goes
        var target = await Gallery.MergeAsync(unknown.IdentityId, person.IdentityId);
        Assert.Equal("Grace", target!.Name);
        Assert.Equal(2, Assert.Single(await Gallery.ListPersonsAsync(), p => p.Name == "Grace").Photos);
        var match = await Gallery.MatchTrackAsync(Axis(6), Space);
        Assert.Equal(person.IdentityId, match.IdentityId);
    }

    [Fact]
    public async Task Erase_DeletesHistorySightingsImagesAlertsEventsAndRules_LateReportsAreDropped_ReEnrolStartsClean()
    {
        var e = Axis(9);
        var bob = (await Gallery.EnrollAsync("Bob", [e], Space)).Person!;
        var match = await Gallery.MatchTrackAsync(e, Space);
        Assert.Equal(bob.IdentityId, match.IdentityId);
        await SeenAsync(bob.IdentityId, "c1", "tb1", e, minutes: 0, match.Incarnation);
        await SeenAsync(bob.IdentityId, "c1", "tb2", e, minutes: 5, match.Incarnation, end: false);
        var other = await Gallery.MatchTrackAsync(Axis(10), Space);
        await SeenAsync(other.IdentityId, "c1", "to1", Axis(10), minutes: 1, other.Incarnation);
        var rules = Client.GetGrain<IAlertRulesGrain>(AlertNames.Default);
        await rules.AddAsync(new AlertRule("watch-bob", "Bob anywhere", AlertRuleKind.Person, bob.IdentityId, "Bob", [], [], TimeSpan.Zero, null, T0));
        await rules.AddAsync(new AlertRule("strangers", "any stranger", AlertRuleKind.Unknown, null, null, [], [], TimeSpan.Zero, null, T0));
        var alerts = Client.GetGrain<IAlertLogGrain>(AlertNames.Default);
        var events = Client.GetGrain<IEventLogGrain>(Names.AllEventsKey);
        var bobEvent = Event(bob.IdentityId, "tb1", match.Incarnation);
        var otherEvent = Event(other.IdentityId, "to1", other.Incarnation);
        Assert.Single(await alerts.AppendAsync([AlertRules.Create((await rules.GetAsync("watch-bob"))!, bobEvent)]));
        Assert.Single(await alerts.AppendAsync([AlertRules.Create((await rules.GetAsync("strangers"))!, otherEvent)]));
        Assert.NotNull(await events.AppendAsync(bobEvent));
        Assert.NotNull(await events.AppendAsync(otherEvent));
        var thumb = BlobKeys.Thumbnail("c1", "tb1");
        var keyframe = BlobKeys.Keyframe("c1", "tb1");
        Assert.NotNull(await Blobs.GetAsync(thumb));
        Assert.NotNull(await Blobs.GetAsync(keyframe));

        var report = await Eraser.EraseIdentityAsync(bob.IdentityId);

        Assert.NotNull(report);
        Assert.Equal((2, 2L, 4, 1), (report.HistoryEntries, report.IndexPoints, report.Images, report.RulesRemoved));
        // the identity grains' own events reach the logs too (through the stream): at least the ones appended here
        Assert.True(report.AlertsRemoved >= 1 && report.EventsRemoved >= 1, report.ToString());
        Assert.Null(await Blobs.GetAsync(thumb));
        Assert.Null(await Blobs.GetAsync(keyframe));
        Assert.Null(await Index.GetAsync("tb1"));
        Assert.Null(await Index.GetAsync("tb2"));
        Assert.NotNull(await Index.GetAsync("to1")); // nobody else's data is touched
        Assert.NotNull(await Blobs.GetAsync(BlobKeys.Thumbnail("c1", "to1")));
        Assert.NotNull(await Blobs.GetAsync(BlobKeys.Keyframe("c1", "to1")));
        Assert.DoesNotContain(bob.IdentityId, (await alerts.RecentAsync(1000)).Select(a => a.IdentityId));
        Assert.Contains(other.IdentityId, (await alerts.RecentAsync(1000)).Select(a => a.IdentityId));
        Assert.DoesNotContain(bob.IdentityId, (await events.RecentAsync(1000)).Select(x => x.Event.IdentityId));
        Assert.Contains(otherEvent.EventId, (await events.RecentAsync(1000)).Select(x => x.Event.EventId));
        Assert.Equal(["strangers"], (await rules.ListAsync()).Select(r => r.Id));
        Assert.DoesNotContain(bob.IdentityId, await Gallery.ListIdentitiesAsync());
        Assert.Empty(await Gallery.PendingErasuresAsync());
        var identity = Client.GetGrain<IIdentityGrain>(bob.IdentityId);
        Assert.Empty(await identity.GetHistoryAsync());
        Assert.Null(await Eraser.EraseIdentityAsync(bob.IdentityId));

        // enrolling the same name again starts a clean person (whatever id it gets), with a new incarnation
        var again = (await Gallery.EnrollAsync("Bob", [e], Space)).Person!;
        var rematch = await Gallery.MatchTrackAsync(e, Space);
        Assert.Equal(again.IdentityId, rematch.IdentityId);
        Assert.True(rematch.Incarnation > match.Incarnation);
        var reborn = Client.GetGrain<IIdentityGrain>(again.IdentityId);
        Assert.Equal(("Bob", 0), ((await reborn.GetSummaryAsync()).Name, (await reborn.GetSummaryAsync()).Sightings));

        // the track that was open when Bob was erased keeps reporting (the camera matched it before): every store drops it
        await identity.TrackEndedAsync(Sighting("c1", "tb2", 5, end: true, match.Incarnation));
        await reborn.TrackEndedAsync(Sighting("c1", "tb2", 5, end: true, match.Incarnation));
        Assert.Empty(await alerts.AppendAsync([AlertRules.Create((await rules.GetAsync("strangers"))! with { Id = "late" }, Event(bob.IdentityId, "tb2", match.Incarnation))]));
        Assert.Null(await events.AppendAsync(Event(bob.IdentityId, "tb2", match.Incarnation)));
        Assert.True(await Gallery.IsErasedAsync(bob.IdentityId, match.Incarnation));
        Assert.False(await Gallery.IsErasedAsync(again.IdentityId, rematch.Incarnation));
        Assert.Empty(await reborn.GetHistoryAsync());

        // the new enrolment's own tracks are recorded and logged as usual
        await reborn.TrackStartedAsync(Sighting("c1", "tb3", 30, end: false, rematch.Incarnation));
        Assert.Equal(["tb3"], (await reborn.GetHistoryAsync()).Select(h => h.TrackId));
        Assert.NotNull(await events.AppendAsync(Event(again.IdentityId, "tb3", rematch.Incarnation)));
    }

    [Fact]
    public async Task Erase_AfterAMerge_TakesTheMergedIdentityAlong_WhatItsOpenTrackStillWritesUnderTheOldIdIsDropped()
    {
        var e = Axis(30);
        var source = await Gallery.MatchTrackAsync(e, Space);
        var target = await Gallery.MatchTrackAsync(Axis(31), Space);
        await SeenAsync(source.IdentityId, "c3", "ts1", e, minutes: 0, source.Incarnation, end: false); // still open at the merge
        Assert.NotNull(await Gallery.MergeAsync(source.IdentityId, target.IdentityId));
        // the camera session still holds the open track under the source id: it rewrites its index point so
        await Index.UpsertAsync([new VideoFace.Index.Sighting("ts1", e, "c3", T0, null, "ts1", source.IdentityId, null, 0.9f, BlobKeys.Thumbnail("c3", "ts1"))]);
        var events = Client.GetGrain<IEventLogGrain>(Names.AllEventsKey);
        Assert.NotNull(await events.AppendAsync(Event(source.IdentityId, "ts1", source.Incarnation)));

        var report = await Eraser.EraseIdentityAsync(target.IdentityId);

        Assert.NotNull(report);
        Assert.Null(await Index.GetAsync("ts1"));
        Assert.Null(await Blobs.GetAsync(BlobKeys.Thumbnail("c3", "ts1")));
        Assert.True(await Gallery.IsErasedAsync(source.IdentityId, source.Incarnation));
        Assert.DoesNotContain(source.IdentityId, (await events.RecentAsync(1000)).Select(x => x.Event.IdentityId));
        // the track ends later, reported under the source id: not forwarded, not recorded
        await Client.GetGrain<IIdentityGrain>(source.IdentityId).TrackEndedAsync(Sighting("c3", "ts1", 0, end: true, source.Incarnation));
        Assert.Empty(await Client.GetGrain<IIdentityGrain>(target.IdentityId).GetHistoryAsync());
        Assert.Empty(await Client.GetGrain<IIdentityGrain>(source.IdentityId).GetHistoryAsync());
        Assert.Empty(await Gallery.PendingErasuresAsync());
    }

    [Fact]
    public async Task RetentionSweep_DeletesOnlyWhatEndedBeforeTheCutoff_SightingsImagesAndHistory()
    {
        var e = Axis(20);
        var u = await Gallery.MatchTrackAsync(e, Space);
        await SeenAsync(u.IdentityId, "c7", "old1", e, minutes: 0);                  // ended 2026-11-02 09:01
        await SeenAsync(u.IdentityId, "c7", "old-open", e, minutes: 2, u.Incarnation, end: false);  // started long ago, still in view
        var recentStart = DateTimeOffset.UtcNow.AddMinutes(-5);
        var identity = Client.GetGrain<IIdentityGrain>(u.IdentityId);
        await identity.TrackStartedAsync(new TrackSighting("c7", "new1", recentStart, null, 0.9f, BlobKeys.Thumbnail("c7", "new1")));
        await identity.TrackEndedAsync(new TrackSighting("c7", "new1", recentStart, recentStart.AddMinutes(1), 0.9f, BlobKeys.Thumbnail("c7", "new1")));
        await Index.UpsertAsync([new VideoFace.Index.Sighting("new1", e, "c7", recentStart, recentStart.AddMinutes(1), "new1", u.IdentityId, null, 0.9f,
            BlobKeys.Thumbnail("c7", "new1"))]);
        await Blobs.PutAsync(BlobKeys.Thumbnail("c7", "new1"), await File.ReadAllBytesAsync(TestData.Face("George_W_Bush", 1)), "image/jpeg");
        // the old track's images were written long ago (the local store ages blobs by their file time)
        foreach (var key in new[] { BlobKeys.Thumbnail("c7", "old1"), BlobKeys.Keyframe("c7", "old1") })
            File.SetLastWriteTimeUtc(Path.Combine(_silo.DataDirectory, "blobs", key), T0.UtcDateTime);

        var sweep = await Silo.GetRequiredService<VideoFace.Hosting.RetentionSweeper>().SweepAsync(DateTimeOffset.UtcNow.AddDays(-1));

        Assert.True(sweep.Sightings >= 1 && sweep.Blobs >= 2 && sweep.HistoryEntries >= 1, sweep.ToString());
        Assert.Null(await Index.GetAsync("old1"));
        Assert.NotNull(await Index.GetAsync("new1"));
        Assert.Null(await Blobs.GetAsync(BlobKeys.Thumbnail("c7", "old1")));
        Assert.Null(await Blobs.GetAsync(BlobKeys.Keyframe("c7", "old1")));
        Assert.NotNull(await Blobs.GetAsync(BlobKeys.Thumbnail("c7", "new1")));
        Assert.Equal(["new1", "old-open"], (await identity.GetHistoryAsync()).Select(h => h.TrackId));

        var again = await Silo.GetRequiredService<VideoFace.Hosting.RetentionSweeper>().SweepAsync(DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(0, again.HistoryEntries);
    }

    /// <summary>What a camera session does for one track: thumbnail blob, identity report(s), index point.</summary>
    private async Task SeenAsync(string identityId, string camera, string track, float[] embedding, int minutes, long incarnation = 0, bool end = true)
    {
        var key = BlobKeys.Thumbnail(camera, track);
        var photo = await File.ReadAllBytesAsync(TestData.Face("George_W_Bush", 1));
        await Blobs.PutAsync(key, photo, "image/jpeg");
        await Blobs.PutAsync(BlobKeys.Keyframe(camera, track), photo, "image/jpeg");
        var identity = Client.GetGrain<IIdentityGrain>(identityId);
        await identity.TrackStartedAsync(Sighting(camera, track, minutes, end: false, incarnation));
        if (end) await identity.TrackEndedAsync(Sighting(camera, track, minutes, end: true, incarnation));
        var name = (await identity.GetSummaryAsync()).Name;
        await Index.UpsertAsync([new VideoFace.Index.Sighting(track, embedding, camera, T0.AddMinutes(minutes), end ? T0.AddMinutes(minutes + 1) : null,
            track, identityId, name, 0.9f, key)]);
    }

    private static TrackSighting Sighting(string camera, string track, int minutes, bool end, long incarnation = 0) =>
        new(camera, track, T0.AddMinutes(minutes), end ? T0.AddMinutes(minutes + 1) : null, 0.9f, BlobKeys.Thumbnail(camera, track), BlobKeys.Keyframe(camera, track),
            incarnation);

    private static IdentityEvent Event(string identityId, string track, long incarnation) =>
        // now, not T0: the alert log's own retention would drop an alert about November at once
        new(Guid.NewGuid().ToString("N"), IdentityEventKind.Appeared, identityId, null, "c1", null, track, DateTimeOffset.UtcNow, 0.9f,
            BlobKeys.Thumbnail("c1", track), incarnation);

    /// <summary>A unit vector along one axis: axes are orthogonal, so different axes are different people.</summary>
    [Fact]
    public async Task NameTrack_RunningTrackReDecided_CountsOnceWithItsLatestEvidence()
    {
        // the track's first evidence leans toward axis 21, its final evidence is axis 20 alone
        var early = Unit((20, 1f), (21, 0.3f));
        var first = await Gallery.NameTrackAsync(new TrackEvidence("tr-1", early, 5, 0.9f, Final: false), Space);
        var again = await Gallery.NameTrackAsync(new TrackEvidence("tr-1", early, 5, 0.9f, Final: false), Space);
        var last = await Gallery.NameTrackAsync(new TrackEvidence("tr-1", Axis(20), 8, 0.9f, Final: true), Space);

        Assert.NotNull(first);
        Assert.True(first.IsNewUnknown);
        Assert.Equal(first.IdentityId, again!.IdentityId);
        Assert.False(again.IsNewUnknown);
        Assert.Equal(first.IdentityId, last!.IdentityId);
        // the unknown identity's centroid is the final evidence alone: the running shares were replaced, not added up
        var peek = await Gallery.PeekAsync(Axis(20));
        Assert.Equal(first.IdentityId, peek!.IdentityId);
        Assert.Equal(1f, peek.Similarity, 4);
    }

    [Fact]
    public async Task NameTrack_WeakRunningEvidence_IsUndecided_AndCreatesNothing()
    {
        var d = await Gallery.NameTrackAsync(new TrackEvidence("tr-weak", Axis(30), 1, 0.9f, Final: false), Space);

        Assert.Null(d);
        Assert.Empty(await Gallery.ListIdentitiesAsync());
    }

    [Fact]
    public async Task NameTrack_HostileEvidence_IsRefused_AndDoesNotFixTheSpace()
    {
        var nan = Axis(1);
        nan[2] = float.NaN;
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.NameTrackAsync(new TrackEvidence("", Axis(1), 3, 1, false), Space));
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.NameTrackAsync(new TrackEvidence(new string('t', 300), Axis(1), 3, 1, false), Space));
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.NameTrackAsync(new TrackEvidence("tr-nan", nan, 3, 1, false), Space));
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.NameTrackAsync(new TrackEvidence("tr-zero", new float[7], 3, 1, false), "other-space"));
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.NameTrackAsync(new TrackEvidence("tr-null", null!, 3, 1, false), Space));

        Assert.Null((await Gallery.GetSettingsAsync()).EmbeddingSpace);
        // the first sound track then sets it
        Assert.NotNull(await Gallery.NameTrackAsync(new TrackEvidence("tr-ok", Axis(1), 3, 1, Final: true), Space));
        Assert.Equal(Space, (await Gallery.GetSettingsAsync()).EmbeddingSpace);
    }

    [Fact]
    public async Task SetThresholds_MergeBelowMatch_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Gallery.SetThresholdsAsync(0.5f, 0.4f));
        await Gallery.SetThresholdsAsync(0.42f, 0.55f);
        var s = await Gallery.GetSettingsAsync();
        Assert.Equal((0.42f, 0.55f), (s.MatchThreshold, s.UnknownMergeThreshold));
    }

    private static float[] Unit(params (int Axis, float Value)[] parts)
    {
        var v = new float[Dim];
        foreach (var (axis, value) in parts) v[axis] = value;
        float n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }

    private static float[] Axis(int i)
    {
        var v = new float[Dim];
        v[i] = 1;
        return v;
    }
}
