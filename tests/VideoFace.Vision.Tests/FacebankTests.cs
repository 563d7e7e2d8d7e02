using VideoFace.Vision.Embedding;

namespace VideoFace.Vision.Tests;

public sealed class FacebankTests
{
    private static float[] Unit(params float[] v) => Embeddings.Normalize(v);

    [Fact]
    public void Enroll_SeveralPhotos_StoresRenormalisedMean()
    {
        var bank = new Facebank.Facebank("test-space", 3);
        var entry = bank.Enroll("ann", [Unit(1, 0, 0), Unit(0, 1, 0)], ["a.jpg", "b.jpg"]);
        Assert.Equal(1f, Embeddings.Norm(entry.Embedding), 5);
        Assert.Equal(MathF.Sqrt(0.5f), entry.Embedding[0], 5);
        Assert.Equal(2, entry.Photos);
    }

    [Fact]
    public void Match_BelowThreshold_IsUnknownButKeepsNearest()
    {
        var bank = new Facebank.Facebank("test-space", 3);
        bank.Enroll("ann", [Unit(1, 0, 0)], ["a.jpg"]);
        bank.Enroll("bob", [Unit(0, 1, 0)], ["b.jpg"]);
        var m = bank.Match(Unit(0.9f, 0.1f, 0), 0.5f);
        Assert.Equal("ann", m.Name);
        var u = bank.Match(Unit(0.2f, 0.1f, 1), 0.5f);
        Assert.Null(u.Name);
        Assert.Equal("ann", u.NearestName);
    }

    [Fact]
    public void SaveLoad_RoundTrip_KeepsEntries()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vf-bank-").FullName, "facebank.json");
        var bank = new Facebank.Facebank("space-a", 3);
        bank.Enroll("ann", [Unit(1, 2, 3)], ["a.jpg"]);
        bank.Save(path);
        var loaded = Facebank.Facebank.Load(path, "space-a", 3);
        Assert.Equal(bank.Entries.Single().Embedding, loaded.Entries.Single().Embedding);
        Assert.Equal("a.jpg", loaded.Entries.Single().Sources.Single());
    }

    [Fact]
    public void Load_OtherEmbeddingSpace_IsRefusedWithReason()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vf-bank-").FullName, "facebank.json");
        var bank = new Facebank.Facebank("space-a", 3);
        bank.Enroll("ann", [Unit(1, 2, 3)], ["a.jpg"]);
        bank.Save(path);
        var ex = Assert.Throws<InvalidDataException>(() => Facebank.Facebank.Load(path, "space-b", 3));
        Assert.Contains("space-a", ex.Message);
        Assert.Contains("enrol again", ex.Message);
    }
}
