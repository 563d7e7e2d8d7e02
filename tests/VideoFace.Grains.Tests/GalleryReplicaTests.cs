using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Grains.Gallery;
using VideoFace.Grains.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Grains.Tests;

/// <summary>
/// Each silo's gallery replica on a two-silo embedded cluster with synthetic embeddings: it names tracks of enrolled
/// persons without the gallery, sees enrolment, merge, promotion and erase within its refresh, and leaves every unknown
/// verdict to the gallery, which makes one identity of a stranger that two silos see at once.
/// </summary>
public sealed class GalleryReplicaTests : IAsyncLifetime
{
    private const string Space = "test-space";
    private const int Dim = 512;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private TestSilo _silo = null!;
    private int _tracks;

    private IGalleryGrain Gallery => _silo.Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);

    private IReadOnlyList<GalleryReplica> Replicas => _silo.SiloServices.Select(s => s.GetRequiredService<GalleryReplica>()).ToList();

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync("gallery-replica", silos: 2);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Enrolment_ReachesEverySilo_WhoseReplicaNamesThePersonsTracksAndLeavesStrangersToTheGallery()
    {
        var ann = (await Gallery.EnrollAsync("Ann", [Axis(1)], Space)).Person!;

        await UntilEveryReplicaAsync(r => Named(r, Near(1)) is { } m && m.IdentityId == ann.IdentityId && m.Name == "Ann", "every silo names Ann");
        foreach (var replica in Replicas)
        {
            // weak evidence stays undecided here, as the gallery would leave it
            Assert.True(replica.TryName(Evidence(Near(1), faces: 1), Space, out var undecided));
            Assert.Null(undecided);
            // a stranger, a track labelled with an unknown identity, another embedding space: the gallery's to decide
            Assert.False(replica.TryName(Evidence(Axis(50)), Space, out _));
            Assert.False(replica.TryName(Evidence(Near(1)) with { CurrentIdentityId = "u-0123456789ab" }, Space, out _));
            Assert.False(replica.TryName(Evidence(Near(1)), "another-space", out _));
        }
    }

    [Fact]
    public async Task MergePromotionAndErase_ReachEveryReplica_AndAnErasedPersonIsNoLongerNamed()
    {
        var bob = (await Gallery.EnrollAsync("Bob", [Axis(2)], Space)).Person!;
        var bo = (await Gallery.EnrollAsync("Bo", [Axis(3)], Space)).Person!;
        await UntilEveryReplicaAsync(r => Named(r, Axis(3))?.IdentityId == bo.IdentityId, "every silo names Bo");

        // Bo was Bob enrolled twice: Bob's embedding takes Bo's photos, and Bo's id is no person any more
        Assert.NotNull(await Gallery.MergeAsync(bo.IdentityId, bob.IdentityId));
        await UntilEveryReplicaAsync(r => Named(r, Axis(3))?.IdentityId == bob.IdentityId, "every silo names Bo's face Bob");
        Assert.All(Replicas, r => Assert.False(r.TryName(Evidence(Axis(2)) with { CurrentIdentityId = bo.IdentityId }, Space, out _)));

        // an unknown identity named by a user becomes a person every silo names
        var stranger = await Gallery.MatchTrackAsync(Axis(60), Space);
        Assert.All(Replicas, r => Assert.False(r.TryName(Evidence(Axis(60)), Space, out _)));
        Assert.NotNull(await Gallery.RenameAsync(stranger.IdentityId, "Cleo"));
        await UntilEveryReplicaAsync(r => Named(r, Axis(60)) is { Name: "Cleo" } m && m.IdentityId == stranger.IdentityId, "every silo names Cleo");

        var tombstone = await Gallery.BeginEraseAsync(bob.IdentityId);
        Assert.NotNull(tombstone);
        await UntilEveryReplicaAsync(r => !r.TryName(Evidence(Axis(2)), Space, out _), "no silo names Bob after his erase");
        // a track that carried Bob's name is the gallery's again (his id is gone from every copy)
        Assert.All(Replicas, r => Assert.False(r.TryName(Evidence(Axis(2)) with { CurrentIdentityId = bob.IdentityId }, Space, out _)));
        Assert.Equal(stranger.IdentityId, Named(Replicas[0], Axis(60))?.IdentityId);
    }

    [Fact]
    public async Task SameStranger_OnTwoSilosAtOnce_IsOneUnknownIdentity()
    {
        await Gallery.EnrollAsync("Dan", [Axis(4)], Space);
        await UntilEveryReplicaAsync(r => Named(r, Axis(4)) is not null, "every silo holds Dan");

        // both silos' replicas leave the stranger to the gallery, and both ask it at the same moment, as track naming does
        var stranger = Near(70);
        var asked = _silo.SiloServices.Select(async services =>
        {
            var evidence = Evidence(stranger);
            Assert.False(services.GetRequiredService<GalleryReplica>().TryName(evidence, Space, out _));
            return await services.GetRequiredService<IGrainFactory>().GetGrain<IGalleryGrain>(Names.DefaultGallery).NameTrackAsync(evidence, Space);
        }).ToList();
        var matches = await Task.WhenAll(asked);

        Assert.All(matches, m => Assert.Equal(matches[0]!.IdentityId, m!.IdentityId));
        Assert.Single(matches, m => m!.IsNewUnknown);
        Assert.Single(await Gallery.ListIdentitiesAsync(), id => id.StartsWith("u-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gallery_WithTheCallersLabel_KeepsAPersonsNameWhileTheEvidenceStaysAboveTheReleaseThreshold()
    {
        var eva = (await Gallery.EnrollAsync("Eva", [Axis(5)], Space)).Person!;
        // similarity 0.40: below the match threshold (0.45), above the release threshold (0.30)
        var doubtful = Mix(5, 6, 0.40f);
        var track = Evidence(doubtful);

        // undecided by the gallery, the track is a new unknown identity without a name …
        Assert.NotEqual(eva.IdentityId, (await Gallery.NameTrackAsync(track, Space))!.IdentityId);
        // … but a track this silo's replica named Eva keeps her name, in the gallery too, as it would here
        var held = await Gallery.NameTrackAsync(Evidence(doubtful) with { CurrentIdentityId = eva.IdentityId }, Space);
        Assert.Equal(eva.IdentityId, held!.IdentityId);
        await UntilEveryReplicaAsync(r => Named(r, Axis(5)) is not null, "every silo holds Eva");
        Assert.True(Replicas[0].TryName(Evidence(doubtful) with { CurrentIdentityId = eva.IdentityId }, Space, out var here));
        Assert.Equal(eva.IdentityId, here!.IdentityId);
    }

    private TrackEvidence Evidence(float[] embedding, int faces = 3) =>
        new($"t-{Interlocked.Increment(ref _tracks)}", embedding, faces, 1, Final: false, LabelledByCaller: true);

    private GalleryMatch? Named(GalleryReplica replica, float[] embedding) =>
        replica.TryName(Evidence(embedding), Space, out var match) ? match : null;

    private Task UntilEveryReplicaAsync(Func<GalleryReplica, bool> condition, string because) =>
        Poll.UntilAsync(() => Replicas.All(condition), Deadline, because);

    private static float[] Axis(int i)
    {
        var v = new float[Dim];
        v[i] = 1;
        return v;
    }

    private static float[] Near(int i) => Mix(i, (i + 1) % Dim, 0.98f);

    /// <summary>A unit vector at cosine <paramref name="cosine"/> to axis <paramref name="i"/>, the rest along axis <paramref name="j"/>.</summary>
    private static float[] Mix(int i, int j, float cosine)
    {
        var v = new float[Dim];
        v[i] = cosine;
        v[j] = MathF.Sqrt(1 - cosine * cosine);
        return v;
    }
}
