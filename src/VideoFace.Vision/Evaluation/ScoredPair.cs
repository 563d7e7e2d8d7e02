namespace VideoFace.Vision.Evaluation;

/// <summary>One verification pair: its similarity score (higher = more alike) and whether it is the same person.</summary>
public readonly record struct ScoredPair(double Score, bool IsSame);
