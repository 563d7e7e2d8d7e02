using VideoFace.Vision.Evaluation;

namespace VideoFace.Datasets.Tests;

public sealed class VerificationMetricsTests
{
    [Fact]
    public void Compute_PerfectlySeparableScores_GivesAccuracyAndAucOne()
    {
        // Genuine 0.60..0.89, impostor 0.00..0.29, interleaved so every fold holds both.
        var pairs = Enumerable.Range(0, 30)
            .SelectMany(i => new[] { new ScoredPair(0.6 + (i / 100.0), true), new ScoredPair(i / 100.0, false) })
            .ToList();

        var report = VerificationMetrics.Compute(pairs);

        Assert.Equal(1.0, report.Accuracy);
        Assert.Equal(0.0, report.AccuracyStd);
        Assert.Equal(1.0, report.Auc);
        Assert.Equal(1.0, report.TarAtFar1e2);
        Assert.Equal(1.0, report.TarAtFar1e3);
        Assert.Equal(0.445, report.Threshold, 12); // midway between the top impostor 0.29 and the lowest genuine 0.60
        Assert.Equal((60, 30, 30), (report.Pairs, report.Genuine, report.Impostor));
        Assert.Equal(0.745, report.GenuineMean, 12);
        Assert.Equal(0.145, report.ImpostorMean, 12);
        Assert.Equal(10, report.FoldAccuracies.Count);
    }

    [Fact]
    public void Auc_TiedScores_CountHalf()
    {
        // Comparisons: 0.5 vs 0.5 → ½, 0.5 vs 0.1 → 1, 0.7 vs 0.5 → 1, 0.7 vs 0.1 → 1: 3.5 / 4.
        Assert.Equal(0.875, VerificationMetrics.Auc([0.5, 0.7], [0.5, 0.1]), 12);
        Assert.Equal(0.5, VerificationMetrics.Auc([0.3, 0.3], [0.3, 0.3, 0.3]), 12);
        Assert.Equal(0.0, VerificationMetrics.Auc([0.1], [0.2, 0.9]), 12);
    }

    [Fact]
    public void TarAtFar_ThousandImpostors_UsesTheKPlusFirstHighestImpostorAsThreshold()
    {
        var impostor = Enumerable.Range(0, 1000).Select(i => i / 1000.0).ToList(); // 0.000 .. 0.999
        double[] genuine = [0.9995, 0.9985, 0.995, 0.9895, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];

        var at1e2 = VerificationMetrics.TarAtFar(genuine, impostor, 1e-2);
        var at1e3 = VerificationMetrics.TarAtFar(genuine, impostor, 1e-3);

        // FAR 1e-2: 10 impostors may pass → threshold = 11th highest = 0.989; accepted genuine > 0.989: 4 of 10.
        Assert.Equal(0.989, at1e2.Threshold, 12);
        Assert.Equal(0.01, at1e2.Far, 12);
        Assert.Equal(0.4, at1e2.Tar, 12);
        // FAR 1e-3: 1 impostor may pass → threshold 0.998; only 0.9995 and 0.9985 are above it.
        Assert.Equal(0.998, at1e3.Threshold, 12);
        Assert.Equal(0.001, at1e3.Far, 12);
        Assert.Equal(0.2, at1e3.Tar, 12);
    }

    [Fact]
    public void TarAtFar_FewerImpostorsThanOneOverFar_AcceptsNoImpostor()
    {
        var impostor = Enumerable.Range(0, 300).Select(i => i / 1000.0).ToList(); // max 0.299
        double[] genuine = [0.3, 0.299, 0.2];

        var result = VerificationMetrics.TarAtFar(genuine, impostor, 1e-3);

        Assert.Equal(0.299, result.Threshold, 12);
        Assert.Equal(0.0, result.Far);
        Assert.Equal(1.0 / 3, result.Tar, 12); // the genuine score equal to the top impostor is not accepted
    }

    [Fact]
    public void Compute_FoldThreshold_IsChosenOnTheOtherFoldsNotTheTestFold()
    {
        // Fold A separates at 0.55, fold B at 0.25; each tested at the other's threshold gets 50 %.
        ScoredPair[] pairs =
        [
            new(0.6, true), new(0.7, true), new(0.4, false), new(0.5, false),
            new(0.3, true), new(0.35, true), new(0.1, false), new(0.2, false),
        ];

        var explicitFolds = VerificationMetrics.Compute(pairs, [0, 0, 0, 0, 1, 1, 1, 1]);
        var contiguous = VerificationMetrics.Compute(pairs, folds: 2);

        Assert.Equal(0.5, explicitFolds.Accuracy, 12);
        Assert.Equal(0.0, explicitFolds.AccuracyStd, 12);
        Assert.Equal(0.25, explicitFolds.FoldThresholds[0], 12); // fold A tested with B's threshold
        Assert.Equal(0.55, explicitFolds.FoldThresholds[1], 12);
        Assert.Equal(0.25, explicitFolds.Threshold, 12); // overall: 0.25 and 0.55 tie at 6/8, the lower wins
        Assert.Equal(explicitFolds.FoldAccuracies, contiguous.FoldAccuracies);
    }

    [Fact]
    public void Compute_UnequalFoldAccuracies_ReportsPopulationStd()
    {
        // Fold 0 has one pair that no threshold can get right (a low genuine); the others are clean.
        var pairs = new List<ScoredPair>();
        for (var f = 0; f < 10; f++)
        {
            pairs.Add(new ScoredPair(0.8, true));
            pairs.Add(new ScoredPair(f == 0 ? 0.1 : 0.9, true));
            pairs.Add(new ScoredPair(0.2, false));
            pairs.Add(new ScoredPair(0.3, false));
        }

        var report = VerificationMetrics.Compute(pairs);

        Assert.Equal(0.75, report.FoldAccuracies[0], 12);
        Assert.All(report.FoldAccuracies.Skip(1), a => Assert.Equal(1.0, a, 12));
        Assert.Equal(0.975, report.Accuracy, 12);
        Assert.Equal(0.075, report.AccuracyStd, 12); // sqrt((0.225² + 9·0.025²)/10)
    }

    [Fact]
    public void ContiguousFolds_UnevenCount_GivesFirstFoldsOneExtraLikeKFold()
    {
        var folds = VerificationMetrics.ContiguousFolds(23, 10);

        Assert.Equal([3, 3, 3, 2, 2, 2, 2, 2, 2, 2], folds.GroupBy(f => f).Select(g => g.Count()));
        Assert.Equal(folds.Order(), folds);
    }

    [Fact]
    public void Compute_OnlyGenuinePairs_ThrowsClearError()
    {
        var pairs = Enumerable.Range(0, 20).Select(i => new ScoredPair(i, true)).ToList();

        var error = Assert.Throws<ArgumentException>(() => VerificationMetrics.Compute(pairs));

        Assert.Contains("0 impostor", error.Message, StringComparison.Ordinal);
    }
}
