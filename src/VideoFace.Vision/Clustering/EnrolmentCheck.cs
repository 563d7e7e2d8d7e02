using System.Numerics.Tensors;
using VideoFace.Vision.Embedding;

namespace VideoFace.Vision.Clustering;

/// <summary>Why an enrolment photo was singled out.</summary>
public enum EnrolmentOutlierKind
{
    /// <summary>Its face is not like the person's already enrolled embedding (similarity below the threshold).</summary>
    NotThePerson,

    /// <summary>Its face groups apart from the batch's main group (the person most of the photos show).</summary>
    ApartFromBatch,

    /// <summary>The batch splits into equally large groups of different faces, so no group is clearly the person.</summary>
    NoMainGroup,
}

/// <summary>One photo of an enrolment batch that does not agree with the rest.</summary>
/// <param name="Index">Position of the photo's embedding in the batch.</param>
/// <param name="Kind">What it disagrees with.</param>
/// <param name="Similarity">
/// The evidence: for <see cref="EnrolmentOutlierKind.NotThePerson"/> the cosine to the person's enrolled embedding; for
/// <see cref="EnrolmentOutlierKind.ApartFromBatch"/> the best cosine to a photo of the main group; for
/// <see cref="EnrolmentOutlierKind.NoMainGroup"/> the best cosine to any other photo of the batch.
/// </param>
public sealed record EnrolmentOutlier(int Index, EnrolmentOutlierKind Kind, float Similarity);

/// <summary>
/// Do the photos of one enrolment show one person? The batch is clustered by Chinese whispers (as <c>dataset clean</c>
/// does, edges at cosine ≥ threshold): photos outside the largest group are outliers. Adding to an enrolled person, each
/// photo must also be like the person's embedding (the direction of the sum of their enrolled photos), and the person
/// breaks a tie between equally large groups.
/// </summary>
/// <remarks>
/// Clustering, rather than "every photo like every other", because photos of one person taken years apart can be less alike
/// than the impostor tail: a genuine photo stays as long as it links to one other photo of its group. Chinese whispers,
/// rather than connected components, because one chance impostor edge must not join two people's groups: a node follows
/// the summed weight of its neighbours, so a single weak link loses to a group's many strong ones.
/// </remarks>
public static class EnrolmentCheck
{
    /// <summary>
    /// The outliers of <paramref name="normedEmbeddings"/> (unit vectors of one space), in batch order; empty when the batch
    /// agrees. <paramref name="personSum"/> is the enrolled person's embedding sum when adding photos (null for a new person).
    /// </summary>
    public static IReadOnlyList<EnrolmentOutlier> FindOutliers(IReadOnlyList<float[]> normedEmbeddings, float[]? personSum, float threshold)
    {
        ArgumentNullException.ThrowIfNull(normedEmbeddings);
        int n = normedEmbeddings.Count;
        var flagged = new Dictionary<int, EnrolmentOutlier>();

        float[]? toPerson = null;
        if (personSum is not null && Embeddings.Norm(personSum) is var norm && norm > 0 && float.IsFinite(norm))
        {
            toPerson = normedEmbeddings.Select(e => TensorPrimitives.Dot(e, personSum) / norm).ToArray();
            for (int i = 0; i < n; i++)
                if (toPerson[i] < threshold) flagged[i] = new EnrolmentOutlier(i, EnrolmentOutlierKind.NotThePerson, toPerson[i]);
        }

        if (n >= 2)
        {
            var labels = ChineseWhispers.Cluster(normedEmbeddings, new ChineseWhispersOptions(Threshold: threshold));
            var groups = labels.Select((label, i) => (label, i)).GroupBy(x => x.label, x => x.i).OrderByDescending(g => g.Count()).ToList();
            var largest = groups.TakeWhile(g => g.Count() == groups[0].Count()).ToList();
            // a tie is broken only by the person already enrolled; a new person's photos give no ground to pick a side
            var main = largest.Count == 1 ? largest[0]
                : toPerson is not null ? largest.MaxBy(g => g.Average(i => toPerson[i]))
                : null;
            for (int i = 0; i < n; i++)
            {
                if (flagged.ContainsKey(i)) continue;
                if (main is null)
                    flagged[i] = new EnrolmentOutlier(i, EnrolmentOutlierKind.NoMainGroup, Best(normedEmbeddings, i, Enumerable.Range(0, n)));
                else if (labels[i] != main.Key)
                    flagged[i] = new EnrolmentOutlier(i, EnrolmentOutlierKind.ApartFromBatch, Best(normedEmbeddings, i, main));
            }
        }
        return flagged.Values.OrderBy(o => o.Index).ToList();
    }

    private static float Best(IReadOnlyList<float[]> e, int i, IEnumerable<int> others) =>
        others.Where(j => j != i).Select(j => TensorPrimitives.Dot(e[i], e[j])).DefaultIfEmpty(float.NaN).Max();
}
