using System.Globalization;
using VideoFace.Vision.Clustering;
using VideoFace.Vision.Embedding;
using Xunit.Abstractions;

namespace VideoFace.Vision.Tests;

/// <summary>Real faces of 60 dev identities with 4 photos each, embedded once with the default pack.</summary>
public sealed class DevIdentitiesFixture : IDisposable
{
    public const int Identities = 60;

    public DevIdentitiesFixture()
    {
        using var analyzer = new AnalyzerFixture();
        // LFW people with 4+ photos, in name order: the set `dataset clean`'s threshold was chosen on
        People = Directory.GetDirectories(TestData.Faces).Order(StringComparer.Ordinal)
            .Select(d => (Name: Path.GetFileName(d), Files: Directory.GetFiles(d).Order(StringComparer.Ordinal).ToList()))
            .Where(p => p.Files.Count >= 4 && p.Files.All(f => Path.GetFileName(f).StartsWith(p.Name, StringComparison.Ordinal)))
            .Take(Identities)
            .Select(p => (p.Name, p.Files.Take(4).Select(analyzer.EmbedLargest).ToArray()))
            .ToList();
    }

    public IReadOnlyList<(string Name, float[][] Photos)> People { get; }

    public void Dispose() { }
}

public sealed class EnrolmentCheckTests(DevIdentitiesFixture dev, ITestOutputHelper output) : IClassFixture<DevIdentitiesFixture>
{
    /// <summary>The default of GalleryOptions.EnrolmentOutlierThreshold (the Vision library cannot see the grain's options).</summary>
    private const float Threshold = 0.25f;

    private static float[] Unit(params float[] v) => Embeddings.Normalize(v);

    [Fact]
    public void FindOutliers_PhotosOfOneFace_NoOutliers()
    {
        var batch = new[] { Unit(1, 0.1f, 0), Unit(1, 0, 0.1f), Unit(1, 0.05f, 0.05f) };
        Assert.Empty(EnrolmentCheck.FindOutliers(batch, null, Threshold));
        Assert.Empty(EnrolmentCheck.FindOutliers([Unit(0, 1, 0)], null, Threshold)); // one photo of a new person: nothing to compare
    }

    [Fact]
    public void FindOutliers_OneUnlikeFace_IsApartFromTheBatchWithItsBestSimilarity()
    {
        var batch = new[] { Unit(1, 0.1f, 0), Unit(0, 0.2f, 1), Unit(1, 0, 0.1f), Unit(1, 0.05f, 0.05f) };
        var o = Assert.Single(EnrolmentCheck.FindOutliers(batch, null, Threshold));
        Assert.Equal(1, o.Index);
        Assert.Equal(EnrolmentOutlierKind.ApartFromBatch, o.Kind);
        Assert.Equal(new[] { 0, 2, 3 }.Max(j => Embeddings.Cosine(batch[1], batch[j])), o.Similarity, 5);
    }

    [Fact]
    public void FindOutliers_TwoAgainstTwo_NewPersonHasNoMainGroup_ExistingPersonPicksItsSide()
    {
        var a1 = Unit(1, 0.1f, 0);
        var a2 = Unit(1, 0, 0.1f);
        var b1 = Unit(0, 1, 0.1f);
        var b2 = Unit(0.1f, 1, 0);
        var all = EnrolmentCheck.FindOutliers([a1, b1, a2, b2], null, Threshold);
        Assert.Equal([0, 1, 2, 3], all.Select(o => o.Index));
        Assert.All(all, o => Assert.Equal(EnrolmentOutlierKind.NoMainGroup, o.Kind));

        // adding to a person enrolled from a's photos: the b side is not that person
        var person = new float[3];
        foreach (var e in new[] { a1, a2 }) System.Numerics.Tensors.TensorPrimitives.Add(person, e, person);
        var bs = EnrolmentCheck.FindOutliers([a1, b1, a2, b2], person, Threshold);
        Assert.Equal([1, 3], bs.Select(o => o.Index));
        Assert.All(bs, o => Assert.Equal(EnrolmentOutlierKind.NotThePerson, o.Kind));
    }

    [Fact]
    public void FindOutliers_AddingAnotherFaceToAPerson_IsNotThePerson()
    {
        var person = Unit(1, 0, 0);
        var o = Assert.Single(EnrolmentCheck.FindOutliers([Unit(0, 1, 0)], person, Threshold));
        Assert.Equal(EnrolmentOutlierKind.NotThePerson, o.Kind);
        Assert.Equal(0f, o.Similarity, 5);
        Assert.Empty(EnrolmentCheck.FindOutliers([Unit(1, 0.2f, 0)], person, Threshold));
        Assert.Empty(EnrolmentCheck.FindOutliers([Unit(1, 0.2f, 0)], new float[3], Threshold)); // an empty sum has no direction to compare
    }

    /// <summary>
    /// On real faces: 4 photos of one person pass (new, and added to the person enrolled from 2 of them); a fifth photo
    /// of someone else is singled out; 2 + 2 photos of two people are refused whole. Prints the rates at the default
    /// threshold and its neighbours, the figures docs/accuracy.md quotes.
    /// </summary>
    [Fact]
    public void FindOutliers_DevFaces_GenuineBatchesPass_IntrudersAndMixedBatchesAreCaught()
    {
        var rates = new[] { 0.20f, 0.25f, 0.30f, 0.35f }.ToDictionary(t => t, Measure);
        foreach (var (t, r) in rates)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"threshold {t:0.00}: genuine batches refused {r.GenuineRefused}/{dev.People.Count}, genuine additions refused {r.AdditionsRefused}/{dev.People.Count}, " +
                $"intruders missed {r.IntrudersMissed}/{dev.People.Count}, wrong-person additions missed {r.WrongAdditionsMissed}/{dev.People.Count}, " +
                $"two-person batches accepted {r.MixedAccepted}/{dev.People.Count}; refused: {string.Join("; ", r.Refusals)}"));
        var d = rates[Threshold];
        // measured: 1 genuine batch and 2 genuine additions refused (one photo of Andre Agassi that the recogniser finds
        // unlike his others at cosine 0.02-0.05, one of Anna Kournikova at 0.14 to her first two); nothing else slips through
        Assert.True(d.GenuineRefused <= 1, $"{d.GenuineRefused} genuine batches refused");
        Assert.True(d.AdditionsRefused <= 2, $"{d.AdditionsRefused} genuine additions refused");
        Assert.Equal(0, d.IntrudersMissed);
        Assert.Equal(0, d.WrongAdditionsMissed);
        Assert.Equal(0, d.MixedAccepted);
    }

    private Rates Measure(float threshold)
    {
        var r = new Rates();
        var people = dev.People;
        for (int p = 0; p < people.Count; p++)
        {
            var own = people[p].Photos;
            var other = people[(p + 1) % people.Count].Photos;
            if (EnrolmentCheck.FindOutliers(own, null, threshold) is { Count: > 0 } g)
            {
                r.GenuineRefused++;
                r.Refusals.Add($"{people[p].Name}: {string.Join(", ", g)}");
            }
            var sum = Sum(own[0], own[1]);
            if (EnrolmentCheck.FindOutliers([own[2], own[3]], sum, threshold) is { Count: > 0 } a)
            {
                r.AdditionsRefused++;
                r.Refusals.Add($"{people[p].Name} (adding photos 3 and 4): {string.Join(", ", a)}");
            }
            var withIntruder = EnrolmentCheck.FindOutliers([.. own, other[0]], null, threshold);
            if (!withIntruder.Any(o => o.Index == 4)) r.IntrudersMissed++;
            if (EnrolmentCheck.FindOutliers([other[2]], sum, threshold).Count == 0) r.WrongAdditionsMissed++;
            if (EnrolmentCheck.FindOutliers([own[0], other[0], own[1], other[1]], null, threshold).Count == 0) r.MixedAccepted++;
        }
        return r;
    }

    private static float[] Sum(params float[][] e)
    {
        var s = new float[e[0].Length];
        foreach (var v in e) System.Numerics.Tensors.TensorPrimitives.Add(s, v, s);
        return s;
    }

    private sealed class Rates
    {
        public int GenuineRefused, AdditionsRefused, IntrudersMissed, WrongAdditionsMissed, MixedAccepted;
        public List<string> Refusals { get; } = [];
    }
}
