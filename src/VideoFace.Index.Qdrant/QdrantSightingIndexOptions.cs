namespace VideoFace.Index.Qdrant;

/// <summary>Settings of the Qdrant sighting store (configuration section "VideoFace:Qdrant").</summary>
public sealed class QdrantSightingIndexOptions
{
    public const string SectionName = "VideoFace:Qdrant";

    /// <summary>gRPC endpoint, e.g. http://qdrant:6334.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:6334");

    public string? ApiKey { get; set; }

    public string Collection { get; set; } = "sightings";

    public int Dimension { get; set; } = 512;

    /// <summary>Points per upsert request.</summary>
    public int UpsertBatchSize { get; set; } = 256;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Endpoint.IsAbsoluteUri) errors.Add($"{SectionName}:Endpoint must be an absolute URI.");
        if (string.IsNullOrWhiteSpace(Collection)) errors.Add($"{SectionName}:Collection is required.");
        if (Dimension is < 1 or > 65_536) errors.Add($"{SectionName}:Dimension must be in 1..65536 (was {Dimension}).");
        if (UpsertBatchSize < 1) errors.Add($"{SectionName}:UpsertBatchSize must be positive (was {UpsertBatchSize}).");
        return errors;
    }
}
