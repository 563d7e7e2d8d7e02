namespace VideoFace.Index;

/// <summary>How the embedded USearch index stores its vectors.</summary>
public enum VectorQuantization
{
    /// <summary>32-bit floats: exact vectors, 2 KiB per 512-d face.</summary>
    Float32,

    /// <summary>16-bit floats: half the memory; recall@10 within noise of f32 for normalised face embeddings (see the index benchmark).</summary>
    Float16,

    /// <summary>8-bit integers: a quarter of f32's memory and the fastest distance; the exact f32 re-rank restores the order of the hits.</summary>
    Int8,
}

/// <summary>Settings of the embedded sighting index (configuration section "VideoFace:Index").</summary>
public sealed class UsearchSightingIndexOptions
{
    public const string SectionName = "VideoFace:Index";

    /// <summary>Folder holding <c>sightings.db</c> (SQLite, the source of truth) and <c>sightings.usearch</c> (the checkpointed ANN graph).</summary>
    public string Directory { get; set; } = "";

    public int Dimension { get; set; } = 512;

    public VectorQuantization Quantization { get; set; } = VectorQuantization.Float16;

    /// <summary>HNSW edges per node (USearch "connectivity", HNSW M).</summary>
    public int Connectivity { get; set; } = 16;

    /// <summary>Candidate list size while inserting (HNSW efConstruction).</summary>
    public int ExpansionAdd { get; set; } = 128;

    /// <summary>Candidate list size while searching (HNSW ef); raised to the requested k when k is larger.</summary>
    public int ExpansionSearch { get; set; } = 128;

    /// <summary>
    /// Unfiltered searches take at least this many candidates from the graph and re-rank them by exact cosine on the
    /// stored f32 embeddings before keeping the top k (recall lost to the quantised graph order is won back).
    /// </summary>
    public int RerankCandidates { get; set; } = 64;

    /// <summary>Save the graph after this many applied changes (0: only on dispose and on the timer).</summary>
    public int CheckpointEveryChanges { get; set; } = 50_000;

    /// <summary>Save the graph at this interval when it changed (zero: never on a timer).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Filters matching at most this many sightings are answered by an exact scan of those rows instead of the graph.</summary>
    public int ExactScanThreshold { get; set; } = 20_000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory)) errors.Add($"{SectionName}:Directory is required.");
        if (Dimension is < 1 or > 65_536) errors.Add($"{SectionName}:Dimension must be in 1..65536 (was {Dimension}).");
        if (Connectivity is < 2 or > 256) errors.Add($"{SectionName}:Connectivity must be in 2..256 (was {Connectivity}).");
        if (ExpansionAdd < 1) errors.Add($"{SectionName}:ExpansionAdd must be positive (was {ExpansionAdd}).");
        if (ExpansionSearch < 1) errors.Add($"{SectionName}:ExpansionSearch must be positive (was {ExpansionSearch}).");
        if (RerankCandidates is < 1 or > 10_000) errors.Add($"{SectionName}:RerankCandidates must be in 1..10000 (was {RerankCandidates}).");
        if (CheckpointEveryChanges < 0) errors.Add($"{SectionName}:CheckpointEveryChanges must be ≥ 0 (was {CheckpointEveryChanges}).");
        if (CheckpointInterval < TimeSpan.Zero) errors.Add($"{SectionName}:CheckpointInterval must be ≥ 0 (was {CheckpointInterval}).");
        if (ExactScanThreshold < 0) errors.Add($"{SectionName}:ExactScanThreshold must be ≥ 0 (was {ExactScanThreshold}).");
        return errors;
    }
}
