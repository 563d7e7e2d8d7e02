using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using VideoFace.Abstractions;
using VideoFace.Grains.Gallery;
using VideoFace.Grains.Tests.Support;

namespace VideoFace.Grains.Tests;

/// <summary>
/// The gallery's records in the silo's real grain storage (SQLite): identities and running tracks spread over partition
/// records, an unknown track's notice rewrites only its partitions, a reactivated gallery reads back what it had, and a
/// gallery stored whole (one record) is split at its first load.
/// </summary>
public sealed class GalleryStoreTests : IAsyncLifetime
{
    private const string Space = "test-space";
    private const int Dim = 512;
    private TestSilo _silo = null!;

    private IGalleryGrain Gallery => _silo.Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);

    private IGrainStorage Storage => _silo.Services.GetRequiredKeyedService<IGrainStorage>(Names.Storage);

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync("gallery-store");

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task UnknownTracksNotice_RewritesOnlyItsPartitions_AndAReactivatedGalleryHasEverything()
    {
        for (int i = 0; i < 40; i++) Assert.NotNull((await Gallery.EnrollAsync($"Person {i}", [Axis(i)], Space)).Person);
        var track = new TrackEvidence("t-stranger", Axis(100), 3, 1, Final: false);
        var stranger = (await Gallery.NameTrackAsync(track, Space))!;
        Assert.True(stranger.IsNewUnknown);

        var gallery = await ReadAsync<GalleryState>(GalleryStore.StateName);
        Assert.Empty(gallery.State!.Persons);
        Assert.Empty(gallery.State!.Unknowns);
        var parts = await PartitionsAsync();
        Assert.Equal(40, parts.Sum(p => p.State!.Persons.Count));
        Assert.All(Enumerable.Range(0, GalleryStore.Partitions), p =>
            Assert.All(parts[p].State!.Persons.Keys.Concat(parts[p].State!.Unknowns.Keys), id => Assert.Equal(p, GalleryStore.PartitionOf(id))));
        Assert.Contains(stranger.IdentityId, parts[GalleryStore.PartitionOf(stranger.IdentityId)].State!.Unknowns.Keys);
        Assert.Contains(track.TrackId, parts[GalleryStore.PartitionOf(track.TrackId)].State!.OpenTracks.Keys);

        // the same track again, its embedding moved: its unknown identity's partition and its own, nothing else
        Assert.Equal(stranger.IdentityId, (await Gallery.NameTrackAsync(track with { Embedding = Mix(100, 101, 0.95f) }, Space))!.IdentityId);
        var after = await PartitionsAsync();
        var rewritten = Enumerable.Range(0, GalleryStore.Partitions).Where(p => after[p].ETag != parts[p].ETag).ToHashSet();
        Assert.Superset(new HashSet<int> { GalleryStore.PartitionOf(stranger.IdentityId) }, rewritten);
        Assert.Subset(new HashSet<int> { GalleryStore.PartitionOf(stranger.IdentityId), GalleryStore.PartitionOf(track.TrackId) }, rewritten);
        Assert.Equal(gallery.ETag, (await ReadAsync<GalleryState>(GalleryStore.StateName)).ETag);

        // a new activation of the gallery (its change log's epoch says so) reads every identity and the running track back
        var epoch = (await Gallery.GetChangesAsync(new GalleryCursor(Guid.Empty, 0))).Next.Epoch;
        await _silo.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.NotEqual(epoch, (await Gallery.GetChangesAsync(new GalleryCursor(Guid.Empty, 0))).Next.Epoch);
        Assert.Equal(41, (await Gallery.ListIdentitiesAsync()).Count);
        Assert.Equal("p-person-7", (await Gallery.PeekAsync(Axis(7)))!.IdentityId);
        var again = (await Gallery.NameTrackAsync(track with { Final = true }, Space))!;
        Assert.Equal((stranger.IdentityId, false), (again.IdentityId, again.IsNewUnknown));
    }

    [Fact]
    public async Task GalleryStoredWhole_IsSplitAtItsFirstLoad_DroppingAnErasedIdentity_AndKeepingIncarnationsRising()
    {
        var whole = new GalleryState { EmbeddingSpace = Space, Dimension = Dim, LastIncarnation = 3 };
        whole.Persons["p-ann"] = new GalleryPerson { Name = "Ann", Sum = Axis(1), Photos = 1, Incarnation = 1 };
        whole.Persons["p-gone"] = new GalleryPerson { Name = "Gone", Sum = Axis(2), Photos = 1, Incarnation = 2 };
        whole.Tombstones["p-gone"] = new IdentityTombstone("p-gone", 2, DateTimeOffset.UtcNow);
        // written by a partition whose gallery record never caught up: its incarnation is above the last one handed out
        whole.Unknowns["u-000000000009"] = new UnknownIdentity { Sum = Axis(3), Tracks = 1, Incarnation = 9 };
        await Storage.WriteStateAsync(GalleryStore.StateName, Gallery.GetGrainId(), new GrainState<GalleryState>(whole));

        Assert.Equal(["p-ann", "u-000000000009"], (await Gallery.ListIdentitiesAsync()).Order(StringComparer.Ordinal));
        var gallery = await ReadAsync<GalleryState>(GalleryStore.StateName);
        Assert.Empty(gallery.State!.Persons);
        Assert.Empty(gallery.State!.Unknowns);
        Assert.Contains("p-ann", (await ReadAsync<GalleryPartition>(GalleryStore.PartitionName(GalleryStore.PartitionOf("p-ann")))).State!.Persons.Keys);
        var fresh = await Gallery.MatchTrackAsync(Axis(50), Space);
        Assert.Equal((true, 10), (fresh.IsNewUnknown, fresh.Incarnation));
    }

    private async Task<GrainState<T>> ReadAsync<T>(string name) where T : new()
    {
        var state = new GrainState<T>(new T());
        await Storage.ReadStateAsync(name, Gallery.GetGrainId(), state);
        return state;
    }

    private async Task<GrainState<GalleryPartition>[]> PartitionsAsync() =>
        await Task.WhenAll(Enumerable.Range(0, GalleryStore.Partitions).Select(p => ReadAsync<GalleryPartition>(GalleryStore.PartitionName(p))));

    private static float[] Axis(int i)
    {
        var v = new float[Dim];
        v[i] = 1;
        return v;
    }

    private static float[] Mix(int i, int j, float cosine)
    {
        var v = new float[Dim];
        v[i] = cosine;
        v[j] = MathF.Sqrt(1 - cosine * cosine);
        return v;
    }
}
