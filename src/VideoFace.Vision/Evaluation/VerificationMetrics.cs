namespace VideoFace.Vision.Evaluation;

/// <summary>LFW-style verification figures from scored pairs: k-fold accuracy, TAR@FAR and ROC AUC.</summary>
/// <remarks>
/// Convention throughout: a pair is accepted as "same" when its score is strictly greater than the
/// threshold (InsightFace's verification.py accepts when distance &lt; threshold; this is the mirror
/// for similarities). Thresholds are exact sweeps over the observed scores, not a fixed grid.
/// </remarks>
public static class VerificationMetrics
{
    /// <summary>The usual LFW protocol: ten folds.</summary>
    public const int DefaultFolds = 10;

    /// <summary>Computes the report with folds as contiguous splits of <paramref name="pairs"/> in the order given.</summary>
    public static VerificationReport Compute(IReadOnlyList<ScoredPair> pairs, int folds = DefaultFolds)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (folds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "At least 2 folds are needed.");
        }

        if (pairs.Count < folds)
        {
            throw new ArgumentException($"{pairs.Count} pairs cannot be split into {folds} folds.", nameof(pairs));
        }

        return Compute(pairs, ContiguousFolds(pairs.Count, folds));
    }

    /// <summary>Computes the report with an explicit fold index (0..k-1) for every pair, e.g. LFW View 2's own folds.</summary>
    public static VerificationReport Compute(IReadOnlyList<ScoredPair> pairs, IReadOnlyList<int> foldOfPair)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(foldOfPair);
        if (foldOfPair.Count != pairs.Count)
        {
            throw new ArgumentException($"{foldOfPair.Count} fold indices given for {pairs.Count} pairs.", nameof(foldOfPair));
        }

        var genuine = new List<double>();
        var impostor = new List<double>();
        foreach (var p in pairs)
        {
            if (double.IsNaN(p.Score))
            {
                throw new ArgumentException("A pair has a NaN score.", nameof(pairs));
            }

            (p.IsSame ? genuine : impostor).Add(p.Score);
        }

        if (genuine.Count == 0 || impostor.Count == 0)
        {
            throw new ArgumentException(
                $"Verification needs both genuine and impostor pairs (got {genuine.Count} genuine, {impostor.Count} impostor).",
                nameof(pairs));
        }

        var foldCount = foldOfPair.Max() + 1;
        if (foldOfPair.Min() < 0 || foldCount < 2)
        {
            throw new ArgumentException("Fold indices must be 0..k-1 with k ≥ 2.", nameof(foldOfPair));
        }

        var foldAcc = new double[foldCount];
        var foldThr = new double[foldCount];
        for (var f = 0; f < foldCount; f++)
        {
            var train = new List<ScoredPair>();
            var test = new List<ScoredPair>();
            for (var i = 0; i < pairs.Count; i++)
            {
                (foldOfPair[i] == f ? test : train).Add(pairs[i]);
            }

            if (test.Count == 0)
            {
                throw new ArgumentException($"Fold {f} has no pairs.", nameof(foldOfPair));
            }

            foldThr[f] = BestThreshold(train).Threshold;
            foldAcc[f] = AccuracyAt(test, foldThr[f]);
        }

        var mean = foldAcc.Average();
        var std = Math.Sqrt(foldAcc.Sum(a => (a - mean) * (a - mean)) / foldCount);

        return new VerificationReport(
            Accuracy: mean,
            AccuracyStd: std,
            Threshold: BestThreshold(pairs).Threshold,
            TarAtFar1e2: TarAtFar(genuine, impostor, 1e-2).Tar,
            TarAtFar1e3: TarAtFar(genuine, impostor, 1e-3).Tar,
            Auc: Auc(genuine, impostor),
            Pairs: pairs.Count,
            Genuine: genuine.Count,
            Impostor: impostor.Count,
            GenuineMean: genuine.Average(),
            ImpostorMean: impostor.Average(),
            FoldAccuracies: foldAcc,
            FoldThresholds: foldThr);
    }

    /// <summary>Fold of each of <paramref name="count"/> items split contiguously like scikit-learn's KFold without shuffle (the first count % k folds get one extra).</summary>
    public static int[] ContiguousFolds(int count, int folds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 1);
        var result = new int[count];
        var baseSize = count / folds;
        var extra = count % folds;
        var i = 0;
        for (var f = 0; f < folds; f++)
        {
            var size = baseSize + (f < extra ? 1 : 0);
            for (var j = 0; j < size; j++)
            {
                result[i++] = f;
            }
        }

        return result;
    }

    /// <summary>Fraction of pairs classified correctly when "same" means score &gt; threshold.</summary>
    public static double AccuracyAt(IReadOnlyCollection<ScoredPair> pairs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            return 0;
        }

        var correct = pairs.Count(p => (p.Score > threshold) == p.IsSame);
        return (double)correct / pairs.Count;
    }

    /// <summary>The threshold with the highest accuracy on <paramref name="pairs"/>, and that accuracy.</summary>
    /// <remarks>
    /// Candidates are midpoints between consecutive distinct scores plus one below all and the maximum itself,
    /// so the choice does not sit on a training score. On equal accuracy the lowest threshold wins, deterministically.
    /// </remarks>
    public static (double Threshold, double Accuracy) BestThreshold(IReadOnlyCollection<ScoredPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            throw new ArgumentException("No pairs to choose a threshold on.", nameof(pairs));
        }

        var sorted = pairs.OrderBy(p => p.Score).ToArray();
        var truePositives = sorted.Count(p => p.IsSame); // threshold below every score: all accepted
        var trueNegatives = 0;
        var bestThreshold = Math.BitDecrement(sorted[0].Score);
        var bestCorrect = truePositives;

        var i = 0;
        while (i < sorted.Length)
        {
            // Move the threshold past one group of equal scores: those pairs become "different".
            var score = sorted[i].Score;
            while (i < sorted.Length && sorted[i].Score == score)
            {
                if (sorted[i].IsSame)
                {
                    truePositives--;
                }
                else
                {
                    trueNegatives++;
                }

                i++;
            }

            var threshold = i < sorted.Length ? score + ((sorted[i].Score - score) / 2) : score;
            if (truePositives + trueNegatives > bestCorrect)
            {
                bestCorrect = truePositives + trueNegatives;
                bestThreshold = threshold;
            }
        }

        return (bestThreshold, (double)bestCorrect / sorted.Length);
    }

    /// <summary>True-accept rate at the smallest threshold whose false-accept rate is ≤ <paramref name="far"/>.</summary>
    /// <remarks>
    /// With I impostors, at most k = ⌊far·I⌋ of them may be accepted, so the threshold is the (k+1)-th highest
    /// impostor score (accepting only scores strictly above it); with k ≥ I every pair is accepted. With few
    /// impostors (far·I &lt; 1) this means no impostor at all is accepted, so the figure is stricter than the nominal FAR.
    /// </remarks>
    public static (double Tar, double Threshold, double Far) TarAtFar(
        IReadOnlyCollection<double> genuine, IReadOnlyCollection<double> impostor, double far)
    {
        ArgumentNullException.ThrowIfNull(genuine);
        ArgumentNullException.ThrowIfNull(impostor);
        if (genuine.Count == 0 || impostor.Count == 0)
        {
            throw new ArgumentException("TAR@FAR needs genuine and impostor scores.");
        }

        if (far is < 0 or > 1 || double.IsNaN(far))
        {
            throw new ArgumentOutOfRangeException(nameof(far), far, "FAR must be within [0, 1].");
        }

        var descending = impostor.OrderByDescending(s => s).ToArray();
        // The small epsilon keeps e.g. 0.01 × 300 = 3.0000000000000004 from flooring wrongly in the other direction.
        var allowed = (int)Math.Floor((far * descending.Length) + 1e-9);
        var threshold = allowed >= descending.Length ? double.NegativeInfinity : descending[allowed];
        var accepted = descending.Count(s => s > threshold);
        var tar = (double)genuine.Count(s => s > threshold) / genuine.Count;
        return (tar, threshold, (double)accepted / descending.Length);
    }

    /// <summary>Exact ROC AUC by the Mann–Whitney U statistic: P(genuine &gt; impostor) + ½·P(equal).</summary>
    public static double Auc(IReadOnlyCollection<double> genuine, IReadOnlyCollection<double> impostor)
    {
        ArgumentNullException.ThrowIfNull(genuine);
        ArgumentNullException.ThrowIfNull(impostor);
        if (genuine.Count == 0 || impostor.Count == 0)
        {
            throw new ArgumentException("AUC needs genuine and impostor scores.");
        }

        var all = genuine.Select(s => (Score: s, IsSame: true))
            .Concat(impostor.Select(s => (Score: s, IsSame: false)))
            .OrderBy(x => x.Score)
            .ToArray();

        // Sum of the genuine scores' ranks, tied groups sharing their average rank.
        double genuineRankSum = 0;
        var i = 0;
        while (i < all.Length)
        {
            var j = i;
            var genuineInGroup = 0;
            while (j < all.Length && all[j].Score == all[i].Score)
            {
                if (all[j].IsSame)
                {
                    genuineInGroup++;
                }

                j++;
            }

            var averageRank = ((i + 1) + j) / 2.0; // ranks i+1..j
            genuineRankSum += averageRank * genuineInGroup;
            i = j;
        }

        double g = genuine.Count;
        double n = impostor.Count;
        return (genuineRankSum - (g * (g + 1) / 2)) / (g * n);
    }
}
