using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using VideoFace.Abstractions;
using VideoFace.Grains.Tests.Support;
using VideoFace.Grains.Inference;
using VideoFace.Grains.Tracks;
using VideoFace.Index;
using VideoFace.Pipeline;
using VideoFace.Testing;
using VideoFace.Tracking;
using VideoFace.Vision;
using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;

namespace VideoFace.Grains.Tests;

/// <summary>
/// Naming over a track's life through the silo's own track publisher: track notices as a camera pipeline sends them,
/// carrying real embeddings of the development faces (the silo's CPU models), into the real gallery, identity grains,
/// event stream and embedded vector index. Persons are enrolled from their first three photos; a track's evidence grows
/// from one later photo to the mean of three, as the tracker's top-K mean does.
/// </summary>
public sealed class TrackNamingTests : IAsyncLifetime
{
    private const string Camera = "door";
    private const string Biden = "Joseph_Biden", Bush = "George_HW_Bush", Myers = "Mike_Myers", Kidman = "Nicole_Kidman";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    // event times near now: the alert log drops alerts older than its retention
    private readonly DateTimeOffset _t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    // every track in this class is at the same spot in the frame: where one person stood, the next one stands
    private static readonly FaceBox Spot = new(280, 120, 400, 270);

    private readonly ConcurrentQueue<IdentityEvent> _events = new();
    private readonly Dictionary<string, float[]> _embeddings = new(StringComparer.Ordinal);
    private TestSilo _silo = null!;
    private StreamSubscriptionHandle<IdentityEvent>? _subscription;
    private FaceAnalyzer _analyzer = null!;
    private int _tracks;

    private IClusterClient Client => _silo.Client;
    private IServiceProvider Silo => _silo.Services;
    private TrackPublisher Tracks => Silo.GetRequiredService<TrackPublisher>();
    private ISightingIndex Index => Silo.GetRequiredService<ISightingIndex>();
    private IGalleryGrain Gallery => Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);
    private string Space => _analyzer.EmbeddingSpace;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync("track-naming", devices: "cpu");
        _analyzer = Silo.GetRequiredService<IInferenceDevices>().Get().Analyzer;
        _subscription = await Client.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey))
            .SubscribeAsync((e, _) =>
            {
                _events.Enqueue(e);
                return Task.CompletedTask;
            });
    }

    public async Task DisposeAsync()
    {
        if (_subscription is not null) await _subscription.UnsubscribeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Track_PersonBWherePersonAStood_IsNamedB_AndStaysUndecidedUntilItsEvidenceSuffices()
    {
        var a = await EnrollAsync(Biden);
        var b = await EnrollAsync(Bush);

        var trackA = await RunTrackAsync(Biden, minutes: 0);
        var trackB = await RunTrackAsync(Bush, minutes: 1, beforeEnough: async id =>
        {
            // one face is not enough to name anyone: no identity has the track, the index holds it without one
            Assert.DoesNotContain(await HistoryAsync(a), h => h.TrackId == id);
            Assert.DoesNotContain(await HistoryAsync(b), h => h.TrackId == id);
            Assert.Null((await Index.GetAsync(id))!.IdentityId);
        });

        Assert.Equal([trackA], (await HistoryAsync(a)).Select(h => h.TrackId));
        Assert.Equal([trackB], (await HistoryAsync(b)).Select(h => h.TrackId));
        Assert.Equal(b, (await Index.GetAsync(trackB))!.IdentityId);
        Assert.Equal("George HW Bush", (await Index.GetAsync(trackB))!.IdentityName);
        await Poll.UntilAsync(() => _events.Any(e => e.Kind == IdentityEventKind.Left && e.TrackId == trackB), Deadline, "B's track left");
        Assert.DoesNotContain(_events, e => e.TrackId == trackB && e.IdentityId != b);
    }

    [Fact]
    public async Task Strangers_StayUnknown_TheSameOneKeepsOneId_TwoAreNeverMerged()
    {
        await EnrollAsync(Biden);
        await EnrollAsync(Bush);

        var first = await RunTrackAsync(Myers, minutes: 0, photos: [1, 2, 3]);
        var again = await RunTrackAsync(Myers, minutes: 5, photos: [4, 5, 6]);
        var other = await RunTrackAsync(Kidman, minutes: 6, photos: [1, 2, 3]);

        var myers = (await Index.GetAsync(first))!.IdentityId;
        Assert.NotNull(myers);
        Assert.StartsWith("u-", myers);
        Assert.Null((await Index.GetAsync(first))!.IdentityName);
        Assert.Equal(myers, (await Index.GetAsync(again))!.IdentityId);
        var kidman = (await Index.GetAsync(other))!.IdentityId;
        Assert.StartsWith("u-", kidman);
        Assert.NotEqual(myers, kidman);
        Assert.Equal([again, first], (await HistoryAsync(myers)).Select(h => h.TrackId));
        Assert.Equal(2, (await Gallery.ListPersonsAsync()).Count);
    }

    [Fact]
    public async Task Track_EvidenceTurningAgainstItsName_MovesToTheOtherPerson_WithARetractionOfItsEventAndAlert()
    {
        var a = await EnrollAsync(Biden);
        var b = await EnrollAsync(Bush);
        var id = NewTrackId();
        await Client.GetGrain<IAlertRulesGrain>(AlertNames.Default).AddAsync(
            new AlertRule("watch-biden", "Biden at the door", AlertRuleKind.Person, a, null, [], [], TimeSpan.FromMinutes(1), null, _t0));
        var log = Client.GetGrain<IAlertLogGrain>(AlertNames.Default);

        // named Biden on its first faces …
        await NoticeAsync(TrackEventKind.Started, id, Mean(Biden, 4, 5, 6), faces: 3, minutes: 0);
        Assert.Equal([id], (await HistoryAsync(a)).Select(h => h.TrackId));
        Assert.Equal(a, (await Index.GetAsync(id))!.IdentityId);
        await Poll.UntilAsync(async () => (await log.RecentAsync(50)).Any(x => x.TrackId == id), Deadline, "the Biden rule alerted");
        // … its best faces then are Bush's (the tracker had followed the wrong face): the track moves
        await NoticeAsync(TrackEventKind.Updated, id, Mean(Bush, 4, 5, 6), faces: 5, minutes: 0.5);

        Assert.Empty(await HistoryAsync(a));
        Assert.Equal([id], (await HistoryAsync(b)).Select(h => h.TrackId));
        Assert.Equal(b, (await Index.GetAsync(id))!.IdentityId);
        Assert.False((await Client.GetGrain<IIdentityGrain>(a).GetSummaryAsync()).Visible);
        await Poll.UntilAsync(() => _events.Any(e => e.Kind == IdentityEventKind.Retracted && e.TrackId == id), Deadline, "Biden's claim was retracted");
        var retraction = _events.Single(e => e.Kind == IdentityEventKind.Retracted && e.TrackId == id);
        Assert.Equal(a, retraction.IdentityId);
        Assert.Equal(b, retraction.MovedToIdentityId);
        await Poll.UntilAsync(() => _events.Any(e => e.Kind == IdentityEventKind.Appeared && e.TrackId == id && e.IdentityId == b), Deadline,
            "Bush appeared with the track");

        // the alert already sent for Biden is withdrawn by a retraction of the same rule
        await Poll.UntilAsync(async () => (await log.RecentAsync(50)).Any(x => x.TrackId == id && x.EventKind == IdentityEventKind.Retracted),
            Deadline, "the Biden alert was retracted");
        var alerts = (await log.RecentAsync(50)).Where(x => x.TrackId == id).ToList();
        Assert.Equal([IdentityEventKind.Appeared, IdentityEventKind.Retracted], alerts.Select(x => x.EventKind));
        Assert.All(alerts, x => Assert.Equal(("watch-biden", a), (x.RuleId, x.IdentityId)));

        await NoticeAsync(TrackEventKind.Ended, id, Mean(Bush, 4, 5, 6), faces: 5, minutes: 1);
        Assert.Equal(_t0.AddMinutes(1), (await HistoryAsync(b)).Single().End);
    }

    [Fact]
    public async Task Track_EndingOnWeakEvidence_IsDecidedThen()
    {
        await EnrollAsync(Biden);
        await EnrollAsync(Bush);
        var id = NewTrackId();

        await NoticeAsync(TrackEventKind.Started, id, Embed(Kidman, 4), faces: 1, minutes: 0);
        Assert.Null((await Index.GetAsync(id))!.IdentityId);
        await NoticeAsync(TrackEventKind.Ended, id, Embed(Kidman, 4), faces: 1, minutes: 0.2);

        var sighting = (await Index.GetAsync(id))!;
        Assert.StartsWith("u-", sighting.IdentityId);
        Assert.Equal([id], (await HistoryAsync(sighting.IdentityId!)).Select(h => h.TrackId));
    }

    /// <summary>A whole track: started on one face, updated on three, ended; returns its id.</summary>
    private async Task<string> RunTrackAsync(string person, double minutes, int[]? photos = null, Func<string, Task>? beforeEnough = null)
    {
        photos ??= [4, 5, 6];
        var id = NewTrackId();
        await NoticeAsync(TrackEventKind.Started, id, Embed(person, photos[0]), faces: 1, minutes);
        if (beforeEnough is not null) await beforeEnough(id);
        await NoticeAsync(TrackEventKind.Updated, id, Mean(person, photos), faces: photos.Length, minutes + 0.1);
        await NoticeAsync(TrackEventKind.Ended, id, Mean(person, photos), faces: photos.Length, minutes + 0.2);
        return id;
    }

    private Task NoticeAsync(TrackEventKind kind, string id, float[] embedding, int faces, double minutes)
    {
        var seen = _t0.AddMinutes(minutes);
        var best = new BestFace(Spot, 0.98f, 0.8f, null, embedding, seen, 640, 480);
        var track = new TrackSnapshot(id, Camera, kind == TrackEventKind.Ended ? TrackState.Ended : TrackState.Confirmed, StartOf(id), seen,
            HitCount: faces * 2, Spot, best, embedding, EmbeddedFaces: Math.Min(faces, 5),
            kind == TrackEventKind.Ended ? VideoFace.Tracking.TrackEndReason.Expired : null, EvidenceFaces: faces);
        return Tracks.PublishAsync(Camera, new TrackNotice(kind, track, Thumbnail: null, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    private readonly Dictionary<string, DateTimeOffset> _starts = new(StringComparer.Ordinal);

    private DateTimeOffset StartOf(string id) => _starts[id];

    private string NewTrackId()
    {
        var id = $"{Camera}-s1-{++_tracks}";
        _starts[id] = _t0.AddMinutes(_tracks);
        return id;
    }

    private async Task<string> EnrollAsync(string person) =>
        (await Gallery.EnrollAsync(person.Replace('_', ' '), [Embed(person, 1), Embed(person, 2), Embed(person, 3)], Space)).Person!.IdentityId;

    private Task<IReadOnlyList<TrackSighting>> HistoryAsync(string identityId) => Client.GetGrain<IIdentityGrain>(identityId).GetHistoryAsync();

    private float[] Mean(string person, params int[] photos) => Embeddings.MeanNormalized(photos.Select(n => Embed(person, n)).ToList());

    /// <summary>The <paramref name="n"/>-th photo (ordinal file order) of a development identity, embedded by the silo's models.</summary>
    private float[] Embed(string person, int n)
    {
        var key = $"{person}/{n}";
        if (_embeddings.TryGetValue(key, out var e)) return e;
        var path = Directory.GetFiles(Path.Combine(TestData.Faces, person)).Order(StringComparer.Ordinal).ElementAt(n - 1);
        using var image = _analyzer.Decoder.DecodeFile(path);
        var faces = _analyzer.Analyze(image, maxFaces: 1);
        Assert.True(faces.Count == 1, $"no face in {path}");
        return _embeddings[key] = faces[0].NormedEmbedding;
    }
}
