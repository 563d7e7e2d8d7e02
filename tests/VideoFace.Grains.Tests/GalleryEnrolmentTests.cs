using VideoFace.Abstractions;
using VideoFace.Grains.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Grains.Tests;

/// <summary>
/// The gallery's enrolment rules on one embedded-profile silo (no models needed), with synthetic embeddings: person ids
/// are unique and usable, a name never lands on someone else's record, and photos that disagree are refused unless forced.
/// </summary>
public sealed class GalleryEnrolmentTests : IAsyncLifetime
{
    private const string Space = "test-space";
    private const int Dim = 512;
    private TestSilo _silo = null!;

    private IGalleryGrain Gallery => _silo.Client.GetGrain<IGalleryGrain>(Names.DefaultGallery);

    public async Task InitializeAsync() =>
        _silo = await TestSilo.StartAsync("gallery-enrol");

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Enroll_NamesWithoutLettersOrVeryLong_GetUniqueIdsOfAtMost64Characters()
    {
        Assert.Equal("p-person", (await EnrolAsync("!!!", 1)).IdentityId);
        Assert.Equal("p-person-2", (await EnrolAsync("???", 2)).IdentityId);

        // two 200-character names that differ only after the slug's cut: two persons, both ids within the API's limit
        var a = await EnrolAsync(new string('a', 199) + "x", 3);
        var b = await EnrolAsync(new string('a', 199) + "y", 4);
        Assert.NotEqual(a.IdentityId, b.IdentityId);
        Assert.All(new[] { a, b }, p => Assert.InRange(p.IdentityId.Length, 3, 64));
        Assert.EndsWith("-2", b.IdentityId);
        Assert.Equal(new string('a', 199) + "y", b.Name);
    }

    [Fact]
    public async Task Enroll_TheOldNameOfARenamedPerson_IsANewPerson_NotTheRenamedOne()
    {
        var carol = await EnrolAsync("Carol", 10);
        Assert.Equal("p-carol", carol.IdentityId);
        Assert.NotNull(await Gallery.RenameAsync(carol.IdentityId, "Caroline"));

        // "Carol" is free again as a name, but its slug is Caroline's id: the new Carol gets her own
        var newCarol = await EnrolAsync("Carol", 11);
        Assert.Equal("p-carol-2", newCarol.IdentityId);
        var persons = await Gallery.ListPersonsAsync();
        Assert.Equal(("Caroline", 1), persons.Where(p => p.IdentityId == "p-carol").Select(p => (p.Name, p.Photos)).Single());

        // and the same name adds to its own person only
        var more = (await Gallery.EnrollAsync("Caroline", [Near(10)], Space)).Person!;
        Assert.Equal(("p-carol", 2), (more.IdentityId, more.Photos));
    }

    [Fact]
    public async Task Rename_OntoAnotherPersonsName_IsRefused_AlsoWhenPromotingAnUnknown()
    {
        var dora = await EnrolAsync("Dora", 20);
        var eve = await EnrolAsync("Eve", 21);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Gallery.RenameAsync(eve.IdentityId, "Dora"));
        Assert.Contains(dora.IdentityId, ex.Message);

        var unknown = await Gallery.MatchTrackAsync(Axis(22), Space);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Gallery.RenameAsync(unknown.IdentityId, " Dora "));
        Assert.Contains(unknown.IdentityId, await Gallery.ListIdentitiesAsync()); // still an unknown identity, not promoted

        // renaming to its own name (or another case of it) is fine
        Assert.Equal("Eve", (await Gallery.RenameAsync(eve.IdentityId, "Eve"))!.Name);
        Assert.Equal("dora", (await Gallery.RenameAsync(unknown.IdentityId, "dora"))!.Name);
    }

    [Fact]
    public async Task Enroll_PhotosThatDisagree_AreRefusedWithNothingStored_ForcedTheyAreEnrolledAndReported()
    {
        var refused = await Gallery.EnrollAsync("Frank", [Axis(30), Axis(31)], Space);
        Assert.Null(refused.Person);
        Assert.Equal([0, 1], refused.Outliers.Select(o => o.Photo));
        Assert.All(refused.Outliers, o => Assert.Equal(EnrolmentOutlierReason.NoMainGroup, o.Reason));
        Assert.DoesNotContain(await Gallery.ListPersonsAsync(), p => p.Name == "Frank");

        var forced = await Gallery.EnrollAsync("Frank", [Axis(30), Axis(31)], Space, force: true);
        Assert.Equal(2, forced.Person!.Photos);
        Assert.Equal(2, forced.Outliers.Count);

        // adding someone else's face to Frank: refused as not the person
        var other = await Gallery.EnrollAsync("Frank", [Axis(40)], Space);
        Assert.Null(other.Person);
        Assert.Equal(EnrolmentOutlierReason.NotThePerson, Assert.Single(other.Outliers).Reason);
    }

    private async Task<EnrolledPerson> EnrolAsync(string name, int axis) =>
        (await Gallery.EnrollAsync(name, [Axis(axis)], Space)).Person ?? throw new InvalidOperationException($"{name} was refused");

    private static float[] Axis(int i)
    {
        var v = new float[Dim];
        v[i] = 1;
        return v;
    }

    /// <summary>A unit vector close to axis <paramref name="i"/> (cosine 0.98): another photo of the same face.</summary>
    private static float[] Near(int i)
    {
        var v = new float[Dim];
        v[i] = 0.98f;
        v[(i + 1) % Dim] = MathF.Sqrt(1 - 0.98f * 0.98f);
        return v;
    }
}
