using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;

namespace VideoFace.Tracking;

/// <summary>Mutable state of one track, owned by a single tracker.</summary>
internal sealed class Track
{
    private readonly TrackerOptions _options;
    // Top-K faces by quality, best first; the track embedding is their re-normalised mean.
    private readonly List<(float Quality, float[] Embedding)> _top = [];
    private float _vx, _vy; // centre velocity, pixels per second
    private bool _hasVelocity;

    public Track(string id, string cameraId, long sequence, PreparedFace face, DateTimeOffset time, int frameWidth, int frameHeight, TrackerOptions options)
    {
        _options = options;
        Id = id;
        CameraId = cameraId;
        Sequence = sequence;
        StartTime = time;
        LastSeen = time;
        LastBox = face.Observation.Box;
        HitCount = 1;
        Best = ToBest(face, time, frameWidth, frameHeight);
        LastEventQuality = float.NegativeInfinity;
        AddEmbedding(face);
    }

    public string Id { get; }
    public string CameraId { get; }
    public long Sequence { get; }
    public TrackState State { get; set; } = TrackState.Tentative;
    public DateTimeOffset StartTime { get; }
    public DateTimeOffset LastSeen { get; private set; }
    public FaceBox LastBox { get; private set; }
    public int HitCount { get; private set; }
    public int Misses { get; private set; }
    public BestFace Best { get; private set; }
    public float[]? Embedding { get; private set; }
    public float[]? LastEmbedding { get; private set; }
    public TrackEndReason? EndReason { get; set; }

    /// <summary>Best-face quality when the last event went out; TrackUpdated needs a gain over it.</summary>
    public float LastEventQuality { get; set; }
    public DateTimeOffset LastEventTime { get; set; }

    /// <summary>The box at <paramref name="time"/> under constant velocity, extrapolated at most MaxPredictionTime.</summary>
    public FaceBox Predict(DateTimeOffset time)
    {
        if (!_hasVelocity) return LastBox;
        double dt = Math.Clamp((time - LastSeen).TotalSeconds, 0, _options.MaxPredictionTime.TotalSeconds);
        float dx = (float)(_vx * dt), dy = (float)(_vy * dt);
        return new FaceBox(LastBox.X1 + dx, LastBox.Y1 + dy, LastBox.X2 + dx, LastBox.Y2 + dy);
    }

    /// <summary>Best cosine similarity of a face to this track (its mean embedding or its latest one), or null when either side has none.</summary>
    public float? Similarity(float[]? embedding)
    {
        if (embedding is null || Embedding is null) return null;
        float s = Embeddings.Cosine(Embedding, embedding);
        // The latest embedding follows a slow pose change the top-K mean has not caught up with yet.
        if (LastEmbedding is not null && !ReferenceEquals(LastEmbedding, Embedding))
            s = Math.Max(s, Embeddings.Cosine(LastEmbedding, embedding));
        return s;
    }

    /// <summary>Adds a matched face; returns whether it became the best face.</summary>
    public bool Hit(PreparedFace face, DateTimeOffset time, int frameWidth, int frameHeight, bool positional)
    {
        var box = face.Observation.Box;
        double dt = (time - LastSeen).TotalSeconds;
        if (!positional || dt > _options.MaxPredictionTime.TotalSeconds)
        {
            // Re-identified away from the prediction, or after a long gap: the old motion says nothing about the new one.
            _vx = _vy = 0;
            _hasVelocity = false;
        }
        else if (dt > 0)
        {
            var c0 = LastBox.Center;
            var c1 = box.Center;
            float mx = (float)((c1.X - c0.X) / dt), my = (float)((c1.Y - c0.Y) / dt);
            float a = _hasVelocity ? _options.VelocitySmoothing : 1f;
            _vx = a * mx + (1 - a) * _vx;
            _vy = a * my + (1 - a) * _vy;
            _hasVelocity = true;
        }

        LastBox = box;
        if (time > LastSeen) LastSeen = time;
        HitCount++;
        Misses = 0;
        AddEmbedding(face);
        if (face.Quality > Best.Quality)
        {
            Best = ToBest(face, time, frameWidth, frameHeight);
            return true;
        }
        return false;
    }

    public void Miss() => Misses++;

    public TrackSnapshot Snapshot() =>
        new(Id, CameraId, State, StartTime, LastSeen, HitCount, LastBox, Best, Embedding, _top.Count, EndReason);

    private void AddEmbedding(PreparedFace face)
    {
        if (face.Embedding is null) return;
        LastEmbedding = face.Embedding;
        int k = _options.TopK;
        if (_top.Count >= k && face.Quality <= _top[^1].Quality) return;
        int at = _top.FindIndex(e => face.Quality > e.Quality);
        _top.Insert(at < 0 ? _top.Count : at, (face.Quality, face.Embedding));
        if (_top.Count > k) _top.RemoveAt(_top.Count - 1);
        // A new array each time: snapshots share it, so it is never changed in place.
        Embedding = _top.Count == 1 ? _top[0].Embedding : Embeddings.MeanNormalized(_top.ConvertAll(e => e.Embedding));
    }

    private static BestFace ToBest(PreparedFace face, DateTimeOffset time, int frameWidth, int frameHeight)
    {
        var o = face.Observation;
        return new BestFace(o.Box, o.Score, face.Quality, o.Keypoints?.ToArray(), face.Embedding, time, frameWidth, frameHeight);
    }
}

/// <summary>An observation with its quality and a private, normalised copy of its embedding.</summary>
internal readonly record struct PreparedFace(FaceObservation Observation, float Quality, float[]? Embedding);
