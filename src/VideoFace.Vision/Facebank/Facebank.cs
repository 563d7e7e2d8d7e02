using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoFace.Vision.Embedding;

namespace VideoFace.Vision.Facebank;

/// <summary>One enrolled person: the re-normalised mean of their photos' normed embeddings.</summary>
public sealed record FacebankEntry(string Name, float[] Embedding, int Photos, IReadOnlyList<string> Sources);

/// <summary>The best facebank match of a face; <see cref="Name"/> is null when below the threshold (unknown).</summary>
public readonly record struct FacebankMatch(string? Name, string? NearestName, float Similarity);

/// <summary>
/// The seed's facebank: enrolled names with one embedding each, matched by cosine similarity. Persisted as JSON
/// (embeddings as base64 float32), written atomically; it records the embedding space it was built in so a facebank
/// from another model is refused instead of silently matching garbage.
/// </summary>
public sealed class Facebank
{
    private readonly Dictionary<string, FacebankEntry> _entries = new(StringComparer.Ordinal);

    public Facebank(string embeddingSpace, int dimension)
    {
        EmbeddingSpace = embeddingSpace;
        Dimension = dimension;
    }

    /// <summary>Which pipeline made the embeddings (e.g. "fr_feature (flip)").</summary>
    public string EmbeddingSpace { get; }

    public int Dimension { get; }

    public IReadOnlyCollection<FacebankEntry> Entries => _entries.Values;

    public int Count => _entries.Count;

    /// <summary>Adds or replaces a person from the normed embeddings of their photos.</summary>
    public FacebankEntry Enroll(string name, IReadOnlyList<float[]> normedEmbeddings, IReadOnlyList<string> sources)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a person needs a name", nameof(name));
        if (normedEmbeddings.Count == 0) throw new ArgumentException($"no usable face for '{name}'", nameof(normedEmbeddings));
        if (normedEmbeddings.Any(e => e.Length != Dimension))
            throw new ArgumentException($"embedding length differs from the facebank's {Dimension}");
        var entry = new FacebankEntry(name, Embeddings.MeanNormalized(normedEmbeddings), normedEmbeddings.Count, sources);
        _entries[name] = entry;
        return entry;
    }

    public bool Remove(string name) => _entries.Remove(name);

    /// <summary>The nearest enrolled person; named only when the similarity reaches <paramref name="threshold"/>.</summary>
    public FacebankMatch Match(ReadOnlySpan<float> normed, float threshold)
    {
        if (normed.Length != Dimension) throw new ArgumentException($"embedding has {normed.Length} values, the facebank {Dimension}");
        string? best = null;
        float bestSim = -1;
        foreach (var e in _entries.Values)
        {
            float s = Embeddings.Cosine(normed, e.Embedding);
            if (s > bestSim) (best, bestSim) = (e.Name, s);
        }
        return new FacebankMatch(bestSim >= threshold ? best : null, best, best is null ? 0 : bestSim);
    }

    /// <summary>Loads a facebank file; a file from another embedding space is an error that says so.</summary>
    public static Facebank Load(string path, string expectedSpace, int expectedDimension)
    {
        FacebankFile? file;
        try
        {
            file = JsonSerializer.Deserialize<FacebankFile>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"facebank '{path}' is not valid JSON: {ex.Message}", ex);
        }
        if (file is null) throw new InvalidDataException($"facebank '{path}' is empty");
        if (file.EmbeddingSpace != expectedSpace || file.Dimension != expectedDimension)
            throw new InvalidDataException(
                $"facebank '{path}' was built with '{file.EmbeddingSpace}' ({file.Dimension}-d) but the current pipeline is '{expectedSpace}' ({expectedDimension}-d); enrol again");
        var bank = new Facebank(file.EmbeddingSpace, file.Dimension);
        foreach (var p in file.Persons)
        {
            var emb = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(p.Embedding)).ToArray();
            if (emb.Length != file.Dimension) throw new InvalidDataException($"facebank '{path}': entry '{p.Name}' has {emb.Length} values");
            bank._entries[p.Name] = new FacebankEntry(p.Name, emb, p.Photos, p.Sources);
        }
        return bank;
    }

    /// <summary>Loads the file if it exists, else returns an empty facebank for this space.</summary>
    public static Facebank LoadOrCreate(string path, string space, int dimension) =>
        File.Exists(path) ? Load(path, space, dimension) : new Facebank(space, dimension);

    /// <summary>Writes the facebank atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var file = new FacebankFile
        {
            EmbeddingSpace = EmbeddingSpace,
            Dimension = Dimension,
            Persons = _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => new FacebankPerson
                {
                    Name = e.Name,
                    Photos = e.Photos,
                    Sources = [.. e.Sources],
                    Embedding = Convert.ToBase64String(MemoryMarshal.AsBytes(e.Embedding.AsSpan())),
                }).ToList(),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }

    private sealed class FacebankFile
    {
        [JsonPropertyName("embedding_space")] public string EmbeddingSpace { get; set; } = "";
        [JsonPropertyName("dimension")] public int Dimension { get; set; }
        [JsonPropertyName("persons")] public List<FacebankPerson> Persons { get; set; } = [];
    }

    private sealed class FacebankPerson
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("photos")] public int Photos { get; set; }
        [JsonPropertyName("sources")] public List<string> Sources { get; set; } = [];
        [JsonPropertyName("embedding")] public string Embedding { get; set; } = "";
    }
}
