using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.TestingHost;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Grains.Placement;
using VideoFace.Storage;
using VideoFace.Testing;

namespace VideoFace.Cluster.Tests;

/// <summary>
/// A real RTSP camera (GStreamer on loopback) looping a video of three LFW people, 4 s each with grey gaps; one device
/// silo; two of the three enrolled from other photos of them; a subscriber on the identity-events stream.
/// </summary>
public sealed class RtspClusterFixture : IAsyncLifetime
{
    public const string CameraId = "rtsp-cam";

    /// <summary>(name, photo in the video, photos enrolled); the last person is not enrolled.</summary>
    public static readonly (string Person, int InVideo, int[] Enrolled)[] People =
    [
        ("Tony_Blair", 2, [6, 94]),
        ("Colin_Powell", 38, [74, 120]),
        ("Jennifer_Aniston", 1, []),
    ];

    private RtspServer? _rtsp;
    private StreamSubscriptionHandle<IdentityEvent>? _subscription;

    public string Folder { get; } = TestVideos.TempFolder("e2e");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public ConcurrentQueue<IdentityEvent> Events { get; } = new();

    public DateTimeOffset StartedAt { get; private set; }

    public Dictionary<string, string> EnrolledIds { get; } = [];

    public async Task InitializeAsync()
    {
        // a fixture whose start failed is not disposed by xunit: clean up here then
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        StartedAt = DateTimeOffset.UtcNow;
        var video = await FaceVideo.CreateAsync(Path.Combine(Folder, "people.mp4"), People.Select(p => TestData.Face(p.Person, p.InVideo)).ToList());
        _rtsp = new RtspServer(video);
        await _rtsp.StartAsync();

        var data = Path.Combine(Folder, "data");
        Cluster = await VideoFaceTestCluster.StartAsync(1, silo => new Dictionary<string, string?>(VideoFaceTestCluster.BaseSettings(silo, data, "cpu"))
        {
            // tracks end in the 2.5 s grey gaps, so each appearance is its own sighting
            ["Tracking:MaxAge"] = "00:00:01.500",
        });

        var inference = Client.GetGrain<IInferenceGrain>(DeviceKey.Anywhere);
        var space = (await inference.GetStatsAsync()).EmbeddingSpace;
        foreach (var (person, _, enrolled) in People.Where(p => p.Enrolled.Length > 0))
        {
            var embeddings = new List<float[]>();
            foreach (var n in enrolled)
                embeddings.Add((await inference.AnalyzeImageAsync(await File.ReadAllBytesAsync(TestData.Face(person, n)), 1)).Single().Embedding);
            var added = await Client.GetGrain<IGalleryGrain>(Names.DefaultGallery).EnrollAsync(person.Replace('_', ' '), embeddings, space);
            EnrolledIds[person] = (added.Person ?? throw new InvalidOperationException($"{person}'s photos were refused as outliers: {string.Join(", ", added.Outliers)}")).IdentityId;
        }

        var stream = Client.GetStreamProvider(Names.StreamProvider)
            .GetStream<IdentityEvent>(StreamId.Create(Names.IdentityEventsNamespace, Names.AllEventsKey));
        _subscription = await stream.SubscribeAsync((e, _) =>
        {
            Events.Enqueue(e);
            return Task.CompletedTask;
        });

        await Client.GetGrain<ICameraGrain>(CameraId).ConfigureAsync(new CameraConfig(_rtsp.Url.ToString(), AnalysisFps: 4));
    }

    public IBlobStore Blobs => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<IBlobStore>();

    public async Task DisposeAsync()
    {
        try
        {
            if (_subscription is not null) await _subscription.UnsubscribeAsync();
            if (Cluster is not null)
            {
                await Client.GetGrain<ICameraGrain>(CameraId).RemoveAsync();
                await Cluster.StopAllSilosAsync();
            }
        }
        finally
        {
            if (Cluster is not null) await Cluster.DisposeAsync();
            if (_rtsp is not null) await _rtsp.DisposeAsync();
            try { Directory.Delete(Folder, recursive: true); }
            catch (IOException) { }
        }
    }
}

public sealed class EndToEndRtspTests(RtspClusterFixture fx) : IClassFixture<RtspClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(75);

    [Fact]
    public async Task RtspCamera_EnrolledPeopleInView_AppearedAndLeftEventsCarryTheirNames()
    {
        foreach (var (person, id) in fx.EnrolledIds)
        {
            var name = person.Replace('_', ' ');
            await Poll.UntilAsync(() => fx.Events.Any(e => e.Kind == IdentityEventKind.Left && e.IdentityId == id), Deadline,
                $"{name} appeared and left on the camera (events so far: {Describe(fx.Events)})", TimeSpan.FromMilliseconds(250));

            var appeared = fx.Events.Where(e => e.Kind == IdentityEventKind.Appeared && e.IdentityId == id).ToList();
            Assert.NotEmpty(appeared);
            Assert.All(appeared, e =>
            {
                Assert.Equal(name, e.Name);
                Assert.Equal(RtspClusterFixture.CameraId, e.CameraId);
                Assert.InRange(e.Similarity, 0.35f, 1f);
                Assert.NotNull(e.ThumbnailKey);
            });
        }
        // nobody was given an enrolled name they do not have
        Assert.All(fx.Events.Where(e => e.Name is not null), e => Assert.Equal(fx.EnrolledIds[e.Name!.Replace(' ', '_')], e.IdentityId));
    }

    [Fact]
    public async Task RtspCamera_PersonNotEnrolled_BecomesAnUnknownIdentityWithEvents()
    {
        var (person, photo, _) = RtspClusterFixture.People.Single(p => p.Enrolled.Length == 0);
        var inference = fx.Client.GetGrain<IInferenceGrain>(DeviceKey.Anywhere);
        var embedding = (await inference.AnalyzeImageAsync(await File.ReadAllBytesAsync(TestData.Face(person, photo)), 1)).Single().Embedding;
        var gallery = fx.Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);

        GalleryMatch? match = null;
        await Poll.UntilAsync(() => (match = gallery.PeekAsync(embedding).GetAwaiter().GetResult()) is not null, Deadline,
            $"the gallery knows {person} as an identity", TimeSpan.FromMilliseconds(500));

        Assert.StartsWith("u-", match!.IdentityId);
        Assert.Null(match.Name);
        await Poll.UntilAsync(() => fx.Events.Any(e => e.Kind == IdentityEventKind.Appeared && e.IdentityId == match.IdentityId), Deadline,
            $"an Appeared event for the unknown identity {match.IdentityId}");
        Assert.All(fx.Events.Where(e => e.IdentityId == match.IdentityId), e => Assert.Null(e.Name));
        var summary = await fx.Client.GetGrain<IIdentityGrain>(match.IdentityId).GetSummaryAsync();
        Assert.Null(summary.Name);
        Assert.Contains(RtspClusterFixture.CameraId, summary.Cameras);
    }

    [Fact]
    public async Task IdentityHistory_EnrolledPeopleSeen_HasClosedSightingsWithStoredThumbnails()
    {
        foreach (var id in fx.EnrolledIds.Values)
        {
            var identity = fx.Client.GetGrain<IIdentityGrain>(id);
            await Poll.UntilAsync(() => identity.GetHistoryAsync().GetAwaiter().GetResult().Any(h => h.End is not null), Deadline,
                $"{id} has a closed sighting", TimeSpan.FromMilliseconds(500));

            var history = await identity.GetHistoryAsync();
            var closed = history.Where(h => h.End is not null).ToList();
            Assert.All(history, h => Assert.Equal(RtspClusterFixture.CameraId, h.CameraId));
            foreach (var h in closed)
            {
                Assert.InRange(h.Start, fx.StartedAt, DateTimeOffset.UtcNow);
                // a person is in view 4 s per loop: a sighting is seconds long, not zero and not a whole loop
                Assert.InRange((h.End!.Value - h.Start).TotalSeconds, 0.2, 8);
                Assert.InRange(h.Similarity, 0.35f, 1f);
                Assert.NotNull(h.ThumbnailKey);
                var blob = await fx.Blobs.GetAsync(h.ThumbnailKey!);
                Assert.NotNull(blob);
                Assert.Equal("image/jpeg", blob.Value.ContentType);
                Assert.True(blob.Value.Content.Length > 500, "thumbnail is a real JPEG");
            }
            var summary = await identity.GetSummaryAsync();
            Assert.Equal([RtspClusterFixture.CameraId], summary.Cameras);
            Assert.True(summary.Sightings >= closed.Count);
            Assert.NotNull(summary.FirstSeen);
            Assert.True(summary.LastSeen >= summary.FirstSeen);
        }
    }

    private static string Describe(IEnumerable<IdentityEvent> events) =>
        string.Join("; ", events.Select(e => $"{e.Kind} {e.IdentityId} ({e.Name ?? "unknown"})"));
}
