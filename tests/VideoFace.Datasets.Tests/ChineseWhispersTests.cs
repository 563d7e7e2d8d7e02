using VideoFace.Vision.Clustering;

namespace VideoFace.Datasets.Tests;

public sealed class ChineseWhispersTests
{
    [Fact]
    public void Cluster_ThreeSeparatedGroupsAndNoise_FindsThreeClustersAndSingletons()
    {
        var random = new Random(42);
        var (embeddings, truth) = MakeClusters(random, [40, 25, 15], noisePoints: 4);

        var labels = ChineseWhispers.Cluster(embeddings, new ChineseWhispersOptions(Threshold: 0.5));

        for (var c = 0; c < 3; c++)
        {
            var members = Enumerable.Range(0, truth.Length).Where(i => truth[i] == c).Select(i => labels[i]).Distinct().ToList();
            Assert.Single(members);
        }

        var clusterLabels = Enumerable.Range(0, 3).Select(c => labels[Array.IndexOf(truth, c)]).ToList();
        Assert.Equal(3, clusterLabels.Distinct().Count());
        var noiseLabels = Enumerable.Range(0, truth.Length).Where(i => truth[i] < 0).Select(i => labels[i]).ToList();
        Assert.Equal(4, noiseLabels.Distinct().Count());
        Assert.DoesNotContain(noiseLabels, clusterLabels.Contains);
        Assert.Equal(7, labels.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 7), labels.Distinct().Order()); // contiguous labels

        var largest = ChineseWhispers.LargestCluster(labels);
        Assert.Equal(labels[Array.IndexOf(truth, 0)], largest);
        Assert.Equal(Enumerable.Range(0, truth.Length).Where(i => truth[i] == 0), ChineseWhispers.Members(labels, largest));
    }

    [Fact]
    public void Cluster_SameSeedOrMorePasses_GivesSameLabels()
    {
        var (embeddings, _) = MakeClusters(new Random(3), [30, 30], noisePoints: 3, spread: 0.9f);

        var a = ChineseWhispers.Cluster(embeddings, new ChineseWhispersOptions(Threshold: 0.3, Seed: 11));
        var b = ChineseWhispers.Cluster(embeddings, new ChineseWhispersOptions(Threshold: 0.3, Seed: 11));
        var longer = ChineseWhispers.Cluster(embeddings, new ChineseWhispersOptions(Threshold: 0.3, Iterations: 400, Seed: 11));

        Assert.Equal(a, b);
        Assert.Equal(a, longer); // a fixed point was reached, so more passes change nothing
    }

    [Fact]
    public void Cluster_TwoThousandEmbeddings_SeparatesFourGroups()
    {
        var (embeddings, truth) = MakeClusters(new Random(9), [800, 600, 400, 200], noisePoints: 0);

        var labels = ChineseWhispers.Cluster(embeddings, new ChineseWhispersOptions(Threshold: 0.5, Iterations: 20));

        Assert.Equal(4, labels.Distinct().Count());
        Assert.All(Enumerable.Range(0, truth.Length), i => Assert.Equal(labels[Array.IndexOf(truth, truth[i])], labels[i]));
    }

    [Fact]
    public void Cluster_ZeroVector_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => ChineseWhispers.Cluster([[1f, 0f], [0f, 0f]]));

        Assert.Contains("Embedding 1", error.Message, StringComparison.Ordinal);
    }

    // Cluster members are a random unit centre plus Gaussian noise of total norm ≈ spread (cosine to the centre ≈ 1/√(1+spread²)).
    private static (List<float[]> Embeddings, int[] Truth) MakeClusters(Random random, int[] sizes, int noisePoints, float spread = 0.6f, int dim = 512)
    {
        var embeddings = new List<float[]>();
        var truth = new List<int>();
        for (var c = 0; c < sizes.Length; c++)
        {
            var centre = Unit(Gaussian(random, dim, 1f));
            for (var k = 0; k < sizes[c]; k++)
            {
                var noise = Gaussian(random, dim, spread / MathF.Sqrt(dim));
                embeddings.Add(centre.Zip(noise, (a, b) => a + b).ToArray());
                truth.Add(c);
            }
        }

        for (var k = 0; k < noisePoints; k++)
        {
            embeddings.Add(Gaussian(random, dim, 1f));
            truth.Add(-1);
        }

        // Interleave so clusters are not contiguous in the input.
        var order = Enumerable.Range(0, embeddings.Count).OrderBy(_ => random.Next()).ToArray();
        return (order.Select(i => embeddings[i]).ToList(), order.Select(i => truth[i]).ToArray());
    }

    private static float[] Gaussian(Random random, int dim, float sigma) =>
        Enumerable.Range(0, dim).Select(_ => sigma * MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * MathF.Cos(2f * MathF.PI * random.NextSingle())).ToArray();

    private static float[] Unit(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }
}
