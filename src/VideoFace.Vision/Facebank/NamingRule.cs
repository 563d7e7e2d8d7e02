using VideoFace.Vision.Embedding;

namespace VideoFace.Vision.Facebank;

/// <summary>What a track has shown of a face so far.</summary>
/// <param name="Embedding">The track's normed embedding: the re-normalised mean of its best faces' embeddings.</param>
/// <param name="Faces">How many embedded faces the track gathered (the mean is of the best of them).</param>
/// <param name="BestQuality">Quality in [0, 1] of the track's best face (size × detector score × frontalness): the mean
/// is weighted toward its best faces, so a track whose best face is tiny, doubtful or in profile has only weak evidence.</param>
public sealed record IdentityEvidence(float[] Embedding, int Faces, float BestQuality);

/// <summary>An identity a track can be given: its centroid direction (any length; a sum of normed embeddings will do).</summary>
public readonly record struct NamingCandidate(string Id, float[] Centroid);

/// <summary>
/// Identities of one kind scored against a track's embedding: a list of centroids (<see cref="NamingCandidates"/>), or a
/// contiguous matrix of normed centroids that a gallery replica scores with one dot product per row.
/// </summary>
public interface INamingScores
{
    /// <summary>Best and second-best cosine similarity (-1 where there is none); candidates with a zero centroid are skipped.</summary>
    (string? Id, float Best, float Second) Rank(float[] query);

    bool Contains(string id);

    /// <summary>Cosine similarity of the identity to the query; -1 when it is not here (or has a zero centroid).</summary>
    float Similarity(string id, float[] query);
}

/// <summary>Candidates as a sequence of centroids of any length (a sum of normed embeddings will do).</summary>
public sealed class NamingCandidates(IEnumerable<NamingCandidate> candidates) : INamingScores
{
    public (string? Id, float Best, float Second) Rank(float[] query)
    {
        string? best = null;
        float bestSim = float.NegativeInfinity, second = float.NegativeInfinity;
        foreach (var c in candidates)
        {
            if (Cosine(c.Centroid, query) is not { } s) continue;
            if (s > bestSim)
            {
                second = bestSim;
                (best, bestSim) = (c.Id, s);
            }
            else if (s > second)
            {
                second = s;
            }
        }
        // a lone candidate leads an absent second by its own similarity down to -1
        return best is null ? (null, -1, -1) : (best, bestSim, float.IsNegativeInfinity(second) ? -1 : second);
    }

    public bool Contains(string id) => candidates.Any(c => c.Id == id);

    public float Similarity(string id, float[] query) =>
        candidates.Where(c => c.Id == id).Select(c => Cosine(c.Centroid, query)).FirstOrDefault() ?? -1;

    private static float? Cosine(float[] centroid, float[] query)
    {
        if (centroid.Length != query.Length) return null;
        float norm = Embeddings.Norm(centroid);
        return norm > 0 && float.IsFinite(norm) ? Embeddings.Cosine(centroid, query) / norm : null;
    }
}

/// <summary>Outcome of the naming rule.</summary>
public enum NamingOutcome
{
    /// <summary>Not enough evidence yet: keep waiting (never the nearest name meanwhile).</summary>
    Undecided,
    /// <summary>An enrolled person.</summary>
    Named,
    /// <summary>Nobody enrolled: an existing unknown identity (<see cref="NamingDecision.IdentityId"/>) or, when that is null, a new one.</summary>
    Unknown,
}

/// <summary>The rule's verdict.</summary>
/// <param name="IdentityId">The person (Named) or unknown identity (Unknown) the track belongs to; null for a new unknown identity.</param>
/// <param name="Similarity">The track's similarity to that identity (1 for a new unknown identity: its own centroid).</param>
/// <param name="RunnerUpSimilarity">The next-best identity of the same kind, for logs and tests.</param>
public sealed record NamingDecision(NamingOutcome Outcome, string? IdentityId, float Similarity, float RunnerUpSimilarity, string Reason)
{
    public static NamingDecision Undecided(string reason) => new(NamingOutcome.Undecided, null, 0, 0, reason);
}

/// <summary>Thresholds of the naming rule; see docs/accuracy.md, "Naming on evidence". (Not sealed: the gallery's
/// options extend it with their configuration section.)</summary>
public class NamingOptions
{
    /// <summary>Cosine similarity at which a track is named as an enrolled person.</summary>
    public float MatchThreshold { get; set; } = 0.45f;

    /// <summary>Cosine similarity at which an unknown track joins an existing unknown identity; never below the match threshold.</summary>
    public float UnknownMergeThreshold { get; set; } = 0.50f;

    /// <summary>Least lead of the best identity over the second best (of the same kind): a tie is nobody.</summary>
    public float Margin { get; set; } = 0.10f;

    /// <summary>Embedded faces a track needs before it is named or declared unknown while it is still running.</summary>
    public int MinFaces { get; set; } = 3;

    /// <summary>Least quality of the track's best face for its evidence to count as sufficient.</summary>
    public float MinBestQuality { get; set; } = 0.20f;

    /// <summary>
    /// A named track whose similarity to its name falls below this (with sufficient evidence) has turned against it
    /// and is looked at afresh; between it and the match threshold the name stays (hysteresis).
    /// </summary>
    public float ReleaseThreshold { get; set; } = 0.30f;

    /// <summary>A copy (the gallery overrides two thresholds per gallery).</summary>
    public NamingOptions With(float matchThreshold, float unknownMergeThreshold) => new()
    {
        MatchThreshold = matchThreshold,
        UnknownMergeThreshold = unknownMergeThreshold,
        Margin = Margin,
        MinFaces = MinFaces,
        MinBestQuality = MinBestQuality,
        ReleaseThreshold = Math.Min(ReleaseThreshold, matchThreshold),
    };

    public IReadOnlyList<string> Validate(string section)
    {
        var e = new List<string>();
        void Cosine(float v, string key)
        {
            if (!float.IsFinite(v) || v is < -1 or > 1) e.Add($"{section}:{key} must be a cosine similarity between -1 and 1 (was {v})");
        }
        Cosine(MatchThreshold, nameof(MatchThreshold));
        Cosine(UnknownMergeThreshold, nameof(UnknownMergeThreshold));
        Cosine(ReleaseThreshold, nameof(ReleaseThreshold));
        if (!float.IsFinite(Margin) || Margin is < 0 or > 1) e.Add($"{section}:{nameof(Margin)} must be between 0 and 1 (was {Margin})");
        if (MinFaces < 1) e.Add($"{section}:{nameof(MinFaces)} must be at least 1 (was {MinFaces})");
        if (!float.IsFinite(MinBestQuality) || MinBestQuality is < 0 or > 1)
            e.Add($"{section}:{nameof(MinBestQuality)} must be between 0 and 1 (was {MinBestQuality})");
        if (e.Count == 0 && UnknownMergeThreshold < MatchThreshold)
            e.Add($"{section}:{nameof(UnknownMergeThreshold)} ({UnknownMergeThreshold}) must not be below {nameof(MatchThreshold)} ({MatchThreshold}): two strangers must be at least as alike as a stranger and a name");
        if (e.Count == 0 && ReleaseThreshold > MatchThreshold)
            e.Add($"{section}:{nameof(ReleaseThreshold)} ({ReleaseThreshold}) must not be above {nameof(MatchThreshold)} ({MatchThreshold})");
        return e;
    }
}

/// <summary>
/// The one rule that gives a track its identity from the evidence it has gathered, re-applied as the evidence grows:
/// a name only when the evidence suffices, the best enrolled person clears the match threshold and leads the second
/// best by the margin; otherwise an unknown identity (an existing one under the same rule with the stricter merge
/// threshold, else a new one), or — while the evidence is still weak — no verdict yet. Weak evidence and ties never
/// yield the nearest name.
/// </summary>
public static class NamingRule
{
    /// <summary>Decides a track's identity.</summary>
    /// <param name="persons">Enrolled persons.</param>
    /// <param name="unknowns">Unknown identities, their centroids without this track's own contribution (a track is not
    /// evidence for itself); an unknown identity that is only this track is left out.</param>
    /// <param name="current">The identity the track has now, or null while undecided.</param>
    /// <param name="final">The track ended: decide now (named if the rule allows, else unknown).</param>
    public static NamingDecision Decide(IdentityEvidence evidence, IEnumerable<NamingCandidate> persons, IEnumerable<NamingCandidate> unknowns,
        string? current, bool final, NamingOptions options) =>
        Decide(evidence, new NamingCandidates(persons), new NamingCandidates(unknowns), current, final, options);

    /// <summary>
    /// Decides a track's identity from scored candidates. A <see cref="NamingOutcome.Named"/> verdict depends on the
    /// persons alone (the unknowns are looked at only when no person is chosen), so a replica holding only the enrolled
    /// persons gives the same names, and leaves every other verdict to the gallery's writer.
    /// </summary>
    public static NamingDecision Decide(IdentityEvidence evidence, INamingScores persons, INamingScores unknowns,
        string? current, bool final, NamingOptions options)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(options);
        bool sufficient = evidence.Faces >= options.MinFaces && evidence.BestQuality >= options.MinBestQuality;
        if (!sufficient && !final)
        {
            if (current is null) return NamingDecision.Undecided("weak evidence");
            return persons.Contains(current)
                ? new NamingDecision(NamingOutcome.Named, current, persons.Similarity(current, evidence.Embedding), 0, "weak evidence: the name stays")
                : new NamingDecision(NamingOutcome.Unknown, current, unknowns.Similarity(current, evidence.Embedding), 0, "weak evidence: the label stays");
        }
        // At the end a track with weak evidence is still decided, but a name (or another stranger) must clear a bar one
        // margin higher: a single poor face is noisier than a mean of good ones.
        float raise = sufficient ? 0 : options.Margin;

        var (p1, p1Sim, p2Sim) = persons.Rank(evidence.Embedding);
        bool currentIsPerson = current is not null && persons.Contains(current);

        if (currentIsPerson)
        {
            float currentSim = persons.Similarity(current!, evidence.Embedding);
            // Another person takes over only with a clear lead over the current name: no flapping between look-alikes.
            if (p1 != current && p1Sim >= options.MatchThreshold + raise && p1Sim - currentSim >= options.Margin)
                return new NamingDecision(NamingOutcome.Named, p1, p1Sim, currentSim, "another person leads the current name by the margin");
            if (currentSim >= options.ReleaseThreshold)
                return new NamingDecision(NamingOutcome.Named, current, currentSim, p1 == current ? p2Sim : p1Sim, "the name holds");
            // the evidence turned against the name: fall through to unknowns (no person qualifies, or p1 would have taken over)
        }
        else if (p1 is not null && p1Sim >= options.MatchThreshold + raise && p1Sim - p2Sim >= options.Margin)
        {
            return new NamingDecision(NamingOutcome.Named, p1, p1Sim, p2Sim, sufficient ? "sufficient evidence" : "final, strong match");
        }

        var (u1, u1Sim, u2Sim) = unknowns.Rank(evidence.Embedding);
        bool ambiguousPerson = p1 is not null && p1Sim >= options.MatchThreshold && p1Sim - p2Sim < options.Margin;
        if (u1 is not null && u1Sim >= options.UnknownMergeThreshold + raise && u1Sim - u2Sim >= options.Margin
            // a stranger as close to an enrolled person as to the unknown identity is not merged on that evidence
            && u1Sim - p1Sim >= options.Margin)
            return new NamingDecision(NamingOutcome.Unknown, u1, u1Sim, u2Sim, "matches an unknown identity");
        if (current is not null && !currentIsPerson)
            // (an unknown identity that is only this track is not among the candidates: its own centroid, similarity 1)
            return new NamingDecision(NamingOutcome.Unknown, current, unknowns.Contains(current) ? unknowns.Similarity(current, evidence.Embedding) : 1,
                Math.Max(p1Sim, u1Sim),
                "stays its unknown identity");
        return new NamingDecision(NamingOutcome.Unknown, null, 1, Math.Max(p1Sim, u1Sim),
            ambiguousPerson ? "tie between enrolled persons" : "matches nobody");
    }
}
