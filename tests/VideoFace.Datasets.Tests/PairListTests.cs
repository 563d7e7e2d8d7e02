using VideoFace.Vision.Evaluation;

namespace VideoFace.Datasets.Tests;

/// <summary>A fact that is skipped, with a message, when ../shared (real faces) is not beside the repository.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (TestPaths.SharedDir() is null)
        {
            Skip = "../shared (beside the repository root) is absent; real-face data tests need it.";
        }
    }
}

public sealed class PairListTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void ParseLfwPairs_TwoSetsOfOne_ReadsPathsSameFlagsAndFolds()
    {
        var file = _tmp["pairs.txt"];
        File.WriteAllText(file, "2\t1\nAnn_Lee\t1\t12\nBo\t3\tCy_Z\t1\n  Dee 2 4 \nEd\t1\tFay\t10\n");

        var pairs = PairList.ParseLfwPairs(file, "/data/lfw");

        Assert.Equal(4, pairs.Count);
        Assert.Equal(new VerificationPair("/data/lfw/Ann_Lee/Ann_Lee_0001.jpg", "/data/lfw/Ann_Lee/Ann_Lee_0012.jpg", true, 0), pairs[0]);
        Assert.Equal(new VerificationPair("/data/lfw/Bo/Bo_0003.jpg", "/data/lfw/Cy_Z/Cy_Z_0001.jpg", false, 0), pairs[1]);
        Assert.Equal(new VerificationPair("/data/lfw/Dee/Dee_0002.jpg", "/data/lfw/Dee/Dee_0004.jpg", true, 1), pairs[2]);
        Assert.Equal(new VerificationPair("/data/lfw/Ed/Ed_0001.jpg", "/data/lfw/Fay/Fay_0010.jpg", false, 1), pairs[3]);
    }

    [Fact]
    public void ParseLfwPairs_LineCountDisagreesWithHeader_ThrowsNamingTheFile()
    {
        var file = _tmp["short.txt"];
        File.WriteAllText(file, "10\t300\nAnn\t1\t2\n");

        var error = Assert.Throws<FormatException>(() => PairList.ParseLfwPairs(file, _tmp.Path));

        Assert.Contains("short.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("6000 lines", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseLfwPairs_MismatchedLineWhereMatchedExpected_Throws()
    {
        var file = _tmp["swapped.txt"];
        File.WriteAllText(file, "1\nBo\t3\tCy\t1\nAnn\t1\t2\n");

        var error = Assert.Throws<FormatException>(() => PairList.ParseLfwPairs(file, _tmp.Path));

        Assert.Contains("swapped.txt:2", error.Message, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void ParseLfwPairs_SharedFacesDev_Has680PairsHalfSameAllFilesPresent()
    {
        var shared = TestPaths.SharedDir()!;

        var pairs = PairList.ParseLfwPairs(Path.Combine(shared, "data", "faces-dev-pairs.txt"), Path.Combine(shared, "data", "faces-dev"));

        Assert.Equal(680, pairs.Count);
        Assert.Equal(340, pairs.Count(p => p.IsSame));
        Assert.All(pairs.GroupBy(p => p.Fold), g => Assert.Equal((34, 34), (g.Count(p => p.IsSame), g.Count(p => !p.IsSame))));
        Assert.Equal(10, pairs.Select(p => p.Fold).Distinct().Count());
        Assert.All(pairs, p => Assert.True(File.Exists(p.PathA) && File.Exists(p.PathB), $"missing {p.PathA} or {p.PathB}"));
    }

    [Fact]
    public void FromIdentityFolders_SparseIdentities_GivesAllGenuinePlusAsManyDistinctImpostors()
    {
        var sizes = new[] { 4, 3, 1, 5, 2, 3, 1, 1, 2, 4 }; // 6+3+0+10+1+3+0+0+1+6 = 30 genuine
        var root = MakeIdentities(sizes);

        var pairs = PairList.FromIdentityFolders(root, seed: 0);
        var again = PairList.FromIdentityFolders(root, seed: 0);
        var other = PairList.FromIdentityFolders(root, seed: 1);

        Assert.Equal(30, pairs.Count(p => p.IsSame));
        Assert.Equal(30, pairs.Count(p => !p.IsSame));
        Assert.All(pairs, p => Assert.Equal(p.IsSame, Identity(p.PathA) == Identity(p.PathB)));
        var impostorKeys = pairs.Where(p => !p.IsSame)
            .Select(p => string.CompareOrdinal(p.PathA, p.PathB) < 0 ? (p.PathA, p.PathB) : (p.PathB, p.PathA));
        Assert.Equal(30, impostorKeys.Distinct().Count());
        Assert.Equal(pairs, again);
        Assert.NotEqual(pairs, other);
        Assert.Equal(VerificationMetrics.ContiguousFolds(60, 10), pairs.Select(p => p.Fold));
        // Shuffled: the genuine pairs are not all in the first half.
        Assert.InRange(pairs.Take(30).Count(p => p.IsSame), 5, 25);
    }

    [Fact]
    public void FromIdentityFolders_FewCrossPairs_TakesDistinctImpostorsWithoutLooping()
    {
        var root = MakeIdentities([3, 3]); // 6 genuine, only 9 possible impostor pairs

        var pairs = PairList.FromIdentityFolders(root, seed: 5);

        Assert.Equal(6, pairs.Count(p => p.IsSame));
        var impostors = pairs.Where(p => !p.IsSame).Select(p => (p.PathA, p.PathB)).ToList();
        Assert.Equal(6, impostors.Distinct().Count());
    }

    private static string Identity(string path) => Path.GetFileName(Path.GetDirectoryName(path)!);

    private string MakeIdentities(int[] sizes)
    {
        var root = _tmp["ids"];
        for (var i = 0; i < sizes.Length; i++)
        {
            var dir = Path.Combine(root, $"person_{i:D2}");
            Directory.CreateDirectory(dir);
            for (var j = 0; j < sizes[i]; j++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"img_{j}.jpg"), [(byte)i, (byte)j]);
            }

            File.WriteAllText(Path.Combine(dir, "readme.txt"), "ignored");
        }

        return root;
    }
}
