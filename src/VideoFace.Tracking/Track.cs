using VideoFace.Vision.Detection;
using VideoFace.Vision.Embedding;

namespace VideoFace.Tracking;

/// <summary>Mutable state of one track, owned by a single tracker.</summary>
internal sealed class Track
{
    private readonly TrackerOptions _options;
    // Top-K faces by quality, best first; the track embedding is their re-normalised mean.
    private readonly List<(float Quality, float[] Embedding)> _top = [];
    // Faces that joined by position but whose embeddings did not look enough like the track (below SplitSimilarity),
    // oldest first: held out of the embedding and the summary until a face that agrees vouches for them or the split.
    private readonly List<DoubtfulFace> _doubtful = [];
    private float _vx, _vy; // centre velocity, pixels per second
    private bool _hasVelocity;

    /// <summary>A track born from <paramref name="face"/>; after a split, <paramref name="earlier"/> are the doubtful faces
    /// of the previous track that this one continues (they count as its hits and evidence; its best face is
    /// <paramref name="face"/>, whose frame is still at hand for the thumbnail).</summary>
    public Track(string id, string cameraId, long sequence, PreparedFace face, DateTimeOffset time, int frameWidth, int frameHeight,
        TrackerOptions options, IReadOnlyList<DoubtfulFace>? earlier = null)
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
        foreach (var d in earlier ?? [])
        {
            if (d.Time < StartTime) StartTime = d.Time;
            HitCount++;
            AddEmbedding(d.Face);
        }
        AddEmbedding(face);
    }

    public string Id { get; }
    public string CameraId { get; }
    public long Sequence { get; }
    public TrackState State { get; set; } = TrackState.Tentative;
    public DateTimeOffset StartTime { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    public FaceBox LastBox { get; private set; }
    public int HitCount { get; private set; }
    public int Misses { get; private set; }
    public BestFace Best { get; private set; }
    public float[]? Embedding { get; private set; }
    public float[]? LastEmbedding { get; private set; }
    public TrackEndReason? EndReason { get; set; }

    /// <summary>Embedded faces accepted over the track's life (doubtful ones excluded).</summary>
    public int EvidenceFaces { get; private set; }

    /// <summary>Doubtful faces in a row since the last face that agreed with the track.</summary>
    public int DoubtfulCount => _doubtful.Count;

    /// <summary>Best-face quality when the last event went out; TrackUpdated needs a gain over it.</summary>
    public float LastEventQuality { get; set; }

    /// <summary>EvidenceFaces when the last event went out; EvidenceGrew needs twice as many.</summary>
    public int LastEventEvidence { get; set; }
    public DateTimeOffset LastEventTime { get; set; }

    /// <summary>The box at <paramref name="time"/> under constant velocity, extrapolated at most MaxPredictionTime.</summary>
    public FaceBox Predict(DateTimeOffset time)
    {
        if (!_hasVelocity) return LastBox;
        double dt = Math.Clamp((time - LastSeen).TotalSeconds, 0, _options.MaxPredictionTime.TotalSeconds);
        float dx = (float)(_vx * dt), dy = (float)(_vy * dt);
        return new FaceBox(LastBox.X1 + dx, LastBox.Y1 + dy, LastBox.X2 + dx, LastBox.Y2 + dy);
    }

    /// <summary>How much a face looks like this track, or null when either side has no embedding.</summary>
    public Likeness? Compare(float[]? embedding)
    {
        if (embedding is null || Embedding is null) return null;
        float anchor = Embeddings.Cosine(Embedding, embedding);
        float s = anchor;
        // The latest embedding follows a slow pose change the top-K mean has not caught up with yet.
        if (LastEmbedding is not null && !ReferenceEquals(LastEmbedding, Embedding))
            s = Math.Max(s, Embeddings.Cosine(LastEmbedding, embedding));
        return new Likeness(s, anchor);
    }

    /// <summary>Holds a face that joined by position but may be someone else: no hit, no embedding, no best face yet.</summary>
    public void AddDoubtful(PreparedFace face, DateTimeOffset time) => _doubtful.Add(new DoubtfulFace(face, time));

    /// <summary>Removes and returns the doubtful faces (the start of the track that splits off).</summary>
    public IReadOnlyList<DoubtfulFace> TakeDoubtful()
    {
        var taken = _doubtful.ToArray();
        _doubtful.Clear();
        return taken;
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
        if (face.Embedding is not null && _doubtful.Count > 0)
        {
            // A face that agrees again: the doubtful ones were this person blurred or turned away. Their sightings
            // count; their embeddings stay out (they did not look enough like the track to shape its appearance).
            HitCount += _doubtful.Count;
            _doubtful.Clear();
        }
        AddEmbedding(face);
        // A face the track cannot check (no embedding) does not replace the best face of a track that has embedded
        // ones: it may be someone else who stepped into the box, and the thumbnail is what people look at.
        if (face.Quality > Best.Quality && (face.Embedding is not null || EvidenceFaces == 0))
        {
            Best = ToBest(face, time, frameWidth, frameHeight);
            return true;
        }
        return false;
    }

    /// <summary>No face this frame. Doubtful faces are dropped: a doubt is settled only by consecutive faces, and a
    /// lost track re-attaches only to a face that clearly agrees.</summary>
    public void Miss()
    {
        Misses++;
        _doubtful.Clear();
    }

    public TrackSnapshot Snapshot() =>
        new(Id, CameraId, State, StartTime, LastSeen, HitCount, LastBox, Best, Embedding, _top.Count, EndReason, EvidenceFaces);

    private void AddEmbedding(PreparedFace face)
    {
        if (face.Embedding is null) return;
        EvidenceFaces++;
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

/// <summary>A face held back by a track because it looked too little like it, with its frame time.</summary>
internal readonly record struct DoubtfulFace(PreparedFace Face, DateTimeOffset Time);

/// <summary>Cosines of a face to a track: <paramref name="Similarity"/> to its mean or its latest face, whichever is
/// higher (follows a turning head), and <paramref name="Anchor"/> to the mean of its top-K faces alone (keeps a chain
/// of small changes from walking the track over to someone else).</summary>
internal readonly record struct Likeness(float Similarity, float Anchor);
