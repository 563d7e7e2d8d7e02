using System.Numerics;

namespace VideoFace.Vision.Clustering;

/// <summary>Settings of a Chinese whispers run.</summary>
/// <param name="Threshold">Cosine similarity at or above which two embeddings are joined by an edge.</param>
/// <param name="Iterations">Passes over the graph; each pass relabels n randomly picked nodes (dlib's default is 100).</param>
/// <param name="Seed">Seed of the random node order, so a run is repeatable.</param>
public sealed record ChineseWhispersOptions(double Threshold = 0.5, int Iterations = 100, int Seed = 0);

/// <summary>Chinese whispers graph clustering of embeddings, as dlib's <c>chinese_whispers</c>, with edges weighted by cosine similarity.</summary>
/// <remarks>
/// Each node starts in its own cluster; repeatedly a random node takes the label with the largest summed
/// edge weight among its neighbours; a node without neighbours keeps its own label. There are no self edges:
/// dlib's example adds them with weight 1, where ties with a neighbour go to the smaller label, but with
/// similarity weights a self edge of 1 would outweigh every single neighbour and nothing would ever merge.
/// On equal weight the smaller label wins, as dlib's ordered map does.
/// Building the graph is O(n²·d); fine for a few thousand 512-d embeddings per call.
/// </remarks>
public static class ChineseWhispers
{
    /// <summary>Clusters <paramref name="embeddings"/>; returns one label per embedding, 0..k-1 in order of first appearance.</summary>
    public static int[] Cluster(IReadOnlyList<float[]> embeddings, ChineseWhispersOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        options ??= new ChineseWhispersOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        var graph = BuildGraph(embeddings, options.Threshold);
        return Cluster(graph, embeddings.Count, options);
    }

    /// <summary>The label with the most members (the smaller label on a tie); -1 when there are no labels.</summary>
    public static int LargestCluster(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            return -1;
        }

        var counts = new Dictionary<int, int>();
        foreach (var l in labels)
        {
            counts[l] = counts.GetValueOrDefault(l) + 1;
        }

        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
    }

    /// <summary>Indices of the items carrying <paramref name="label"/>.</summary>
    public static int[] Members(IReadOnlyList<int> labels, int label)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Enumerable.Range(0, labels.Count).Where(i => labels[i] == label).ToArray();
    }

    private static int[] Cluster((int[] Start, int[] Neighbour, float[] Weight) graph, int n, ChineseWhispersOptions options)
    {
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i;
        }

        if (n == 0)
        {
            return labels;
        }

        var random = new Random(options.Seed);
        // Scratch weight per label, reset through the touched list so each step costs O(degree), not O(n).
        var weightOfLabel = new double[n];
        var isTouched = new bool[n];
        var touched = new List<int>();
        int BestLabel(int node)
        {
            var best = labels[node];
            var bestWeight = double.NegativeInfinity;
            for (var e = graph.Start[node]; e < graph.Start[node + 1]; e++)
            {
                var l = labels[graph.Neighbour[e]];
                if (!isTouched[l])
                {
                    isTouched[l] = true;
                    touched.Add(l);
                }

                weightOfLabel[l] += graph.Weight[e];
            }

            foreach (var l in touched)
            {
                var w = weightOfLabel[l];
                if (w > bestWeight || (w == bestWeight && l < best))
                {
                    bestWeight = w;
                    best = l;
                }

                weightOfLabel[l] = 0;
                isTouched[l] = false;
            }

            touched.Clear();
            return best;
        }

        for (var pass = 0; pass < options.Iterations; pass++)
        {
            var changed = false;
            for (var step = 0; step < n; step++)
            {
                var node = random.Next(n);
                var best = BestLabel(node);
                changed |= best != labels[node];
                labels[node] = best;
            }

            // A quiet pass may mean a fixed point: if no node would change, later passes cannot change anything,
            // so stopping gives exactly the labels the full iteration count would.
            if (!changed && Enumerable.Range(0, n).All(i => BestLabel(i) == labels[i]))
            {
                break;
            }
        }

        // Renumber to 0..k-1 in order of first appearance, as dlib does.
        var remap = new Dictionary<int, int>();
        for (var i = 0; i < n; i++)
        {
            if (!remap.TryGetValue(labels[i], out var id))
            {
                id = remap.Count;
                remap[labels[i]] = id;
            }

            labels[i] = id;
        }

        return labels;
    }

    private static (int[] Start, int[] Neighbour, float[] Weight) BuildGraph(IReadOnlyList<float[]> embeddings, double threshold)
    {
        var n = embeddings.Count;
        var unit = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var v = embeddings[i] ?? throw new ArgumentException($"Embedding {i} is null.", nameof(embeddings));
            if (v.Length != embeddings[0].Length)
            {
                throw new ArgumentException($"Embedding {i} has {v.Length} values, embedding 0 has {embeddings[0].Length}.", nameof(embeddings));
            }

            var norm = MathF.Sqrt(Dot(v, v));
            if (!(norm > 0) || float.IsInfinity(norm))
            {
                throw new ArgumentException($"Embedding {i} has zero or non-finite length; cosine similarity is undefined.", nameof(embeddings));
            }

            unit[i] = v.Select(x => x / norm).ToArray();
        }

        // Each row lists its neighbours with j > i computed once and mirrored, so the O(n²) work is halved.
        var rows = new List<(int J, float W)>[n];
        for (var i = 0; i < n; i++)
        {
            rows[i] = [];
        }

        var upper = new List<(int J, float W)>[n];
        Parallel.For(0, n, i =>
        {
            var list = new List<(int, float)>();
            for (var j = i + 1; j < n; j++)
            {
                var s = Dot(unit[i], unit[j]);
                if (s >= threshold)
                {
                    list.Add((j, s));
                }
            }

            upper[i] = list;
        });

        for (var i = 0; i < n; i++)
        {
            foreach (var (j, w) in upper[i])
            {
                rows[i].Add((j, w));
                rows[j].Add((i, w));
            }
        }

        var start = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            start[i + 1] = start[i] + rows[i].Count;
        }

        var neighbour = new int[start[n]];
        var weight = new float[start[n]];
        for (var i = 0; i < n; i++)
        {
            var k = start[i];
            foreach (var (j, w) in rows[i])
            {
                neighbour[k] = j;
                weight[k] = w;
                k++;
            }
        }

        return (start, neighbour, weight);
    }

    private static float Dot(float[] a, float[] b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += new Vector<float>(a, i) * new Vector<float>(b, i);
        }

        var s = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
