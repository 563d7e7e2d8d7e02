namespace VideoFace.Vision.Evaluation;

/// <summary>Figures of a face-verification run over scored pairs (rates are fractions from 0 to 1).</summary>
/// <param name="Accuracy">Mean k-fold accuracy, each fold tested at the threshold that was best on the other folds.</param>
/// <param name="AccuracyStd">Population standard deviation of the fold accuracies (as numpy's <c>std</c>).</param>
/// <param name="Threshold">Similarity threshold with the best accuracy over all pairs; a pair is "same" when score &gt; threshold.</param>
/// <param name="TarAtFar1e2">True-accept rate at the smallest threshold whose false-accept rate is ≤ 1e-2.</param>
/// <param name="TarAtFar1e3">True-accept rate at the smallest threshold whose false-accept rate is ≤ 1e-3.</param>
/// <param name="Auc">Area under the ROC curve (Mann–Whitney, ties count one half).</param>
/// <param name="Pairs">Number of scored pairs.</param>
/// <param name="Genuine">Number of same-identity pairs.</param>
/// <param name="Impostor">Number of different-identity pairs.</param>
/// <param name="GenuineMean">Mean score of the genuine pairs.</param>
/// <param name="ImpostorMean">Mean score of the impostor pairs.</param>
/// <param name="FoldAccuracies">Test accuracy of each fold.</param>
/// <param name="FoldThresholds">Threshold chosen for each fold on the other folds.</param>
public sealed record VerificationReport(
    double Accuracy,
    double AccuracyStd,
    double Threshold,
    double TarAtFar1e2,
    double TarAtFar1e3,
    double Auc,
    int Pairs,
    int Genuine,
    int Impostor,
    double GenuineMean,
    double ImpostorMean,
    IReadOnlyList<double> FoldAccuracies,
    IReadOnlyList<double> FoldThresholds)
{
    /// <summary>Pairs left out because a face was not found in one of the images; the caller fills it in.</summary>
    public int NoFace { get; init; }
}
