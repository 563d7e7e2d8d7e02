using System.Numerics.Tensors;
using VideoFace.Abstractions;
using VideoFace.Vision.Embedding;
using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>
/// An immutable copy of the enrolled persons at one version of the gallery: their normed embeddings as one contiguous
/// row-major matrix, scored against a track with one vectorised dot product per row. Readers share it without locks; a
/// change builds a new one.
/// </summary>
internal sealed class GallerySnapshot : INamingScores
{
    private readonly string[] _ids;
    private readonly string[] _names;
    private readonly long[] _incarnations;
    private readonly float[] _matrix;
    private readonly bool[] _zero;
    private readonly Dictionary<string, int> _rows;

    /// <summary>A snapshot that holds nobody (before the first copy): every track it sees goes to the gallery.</summary>
    public static readonly GallerySnapshot Empty = new([], null, 0, 0);

    public GallerySnapshot(IReadOnlyCollection<GalleryEntry> persons, GallerySettings? settings, long version, int dimension, int reserve = 0)
    {
        Settings = settings;
        Version = version;
        Dimension = dimension;
        int n = persons.Count + reserve;
        _ids = new string[n];
        _names = new string[n];
        _incarnations = new long[n];
        _zero = new bool[n];
        _matrix = new float[n * dimension];
        _rows = new Dictionary<string, int>(n, StringComparer.Ordinal);
        int i = 0;
        foreach (var p in persons)
        {
            (_ids[i], _names[i], _incarnations[i]) = (p.IdentityId, p.Name, p.Incarnation);
            var row = _matrix.AsSpan(i * dimension, dimension);
            float norm = p.Sum.Length == dimension ? Embeddings.Norm(p.Sum) : 0;
            if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(p.Sum, norm, row);
            else _zero[i] = true;
            _rows[p.IdentityId] = i++;
        }
    }

    /// <summary>The gallery's thresholds and embedding space at this version; null before the first copy.</summary>
    public GallerySettings? Settings { get; }

    /// <summary>The writer's change version this snapshot holds.</summary>
    public long Version { get; }

    public int Dimension { get; }

    public int Count => _ids.Length;

    /// <summary>Bytes of the matrix (the embeddings alone).</summary>
    public long MatrixBytes => (long)_matrix.Length * sizeof(float);

    public (string? Id, float Best, float Second) Rank(float[] query)
    {
        int best = -1;
        float bestSim = float.NegativeInfinity, second = float.NegativeInfinity;
        if (query.Length == Dimension)
        {
            var m = _matrix.AsSpan();
            for (int i = 0; i < _ids.Length; i++)
            {
                if (_zero[i]) continue;
                float s = TensorPrimitives.Dot(m.Slice(i * Dimension, Dimension), query);
                if (s > bestSim)
                {
                    second = bestSim;
                    (best, bestSim) = (i, s);
                }
                else if (s > second)
                {
                    second = s;
                }
            }
        }
        return best < 0 ? (null, -1, -1) : (_ids[best], bestSim, float.IsNegativeInfinity(second) ? -1 : second);
    }

    public bool Contains(string id) => _rows.ContainsKey(id);

    public float Similarity(string id, float[] query) =>
        _rows.TryGetValue(id, out int i) && !_zero[i] && query.Length == Dimension ? TensorPrimitives.Dot(_matrix.AsSpan(i * Dimension, Dimension), query) : -1;

    /// <summary>
    /// A new snapshot at <paramref name="version"/>: this one's rows (copied as they are) without the removed and replaced
    /// ids, then the upserts; or the upserts alone when <paramref name="reset"/>.
    /// </summary>
    public GallerySnapshot Apply(bool reset, IReadOnlyCollection<GalleryEntry> upserts, IReadOnlyCollection<string> removed, GallerySettings settings,
        long version)
    {
        int dimension = settings.Dimension;
        var replaced = new HashSet<string>(removed, StringComparer.Ordinal);
        foreach (var u in upserts) replaced.Add(u.IdentityId);
        var kept = reset || dimension != Dimension ? [] : Enumerable.Range(0, _ids.Length).Where(i => !replaced.Contains(_ids[i])).ToList();
        var fresh = upserts.Where(u => !removed.Contains(u.IdentityId)).ToList();
        return new GallerySnapshot(this, kept, fresh, settings, version);
    }

    private GallerySnapshot(GallerySnapshot old, List<int> kept, List<GalleryEntry> fresh, GallerySettings settings, long version)
        : this(fresh, settings, version, settings.Dimension, reserve: kept.Count)
    {
        // the kept rows go after the fresh ones, copied row by row from the old matrix (no per-person allocation)
        int d = Dimension, i = fresh.Count;
        foreach (int k in kept)
        {
            (_ids[i], _names[i], _incarnations[i], _zero[i]) = (old._ids[k], old._names[k], old._incarnations[k], old._zero[k]);
            old._matrix.AsSpan(k * d, d).CopyTo(_matrix.AsSpan(i * d, d));
            _rows[_ids[i]] = i++;
        }
    }

    /// <summary>The match for a person of this snapshot.</summary>
    public GalleryMatch Match(string id, float similarity)
    {
        int i = _rows[id];
        return new GalleryMatch(id, _names[i], similarity, false, _incarnations[i]);
    }
}
