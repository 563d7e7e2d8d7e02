using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Models;

/// <summary>One model of a pack as the manifest describes it.</summary>
public sealed record ModelEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("input")] int[] Input,
    [property: JsonPropertyName("colour")] string Colour,
    [property: JsonPropertyName("normalisation")] string Normalisation,
    [property: JsonPropertyName("outputs")] string Outputs);

/// <summary>The models folder: the manifest (models/manifest.json) and the fetched weights beside it.</summary>
public sealed class ModelCatalog
{
    private ModelCatalog(string directory, IReadOnlyList<ModelEntry> defaultPack)
    {
        Directory = directory;
        DefaultPack = defaultPack;
    }

    /// <summary>Folder holding the manifest and the default pack's files.</summary>
    public string Directory { get; }

    public IReadOnlyList<ModelEntry> DefaultPack { get; }

    /// <summary>
    /// Loads the manifest from the configured folder, else $VIDEOFACE_MODELS, else the nearest models/ folder
    /// above the program (the repository's).
    /// </summary>
    public static ModelCatalog Load(string? directory = null)
    {
        var dir = directory ?? Environment.GetEnvironmentVariable("VIDEOFACE_MODELS") ?? FindModelsDirectory()
                  ?? throw new ModelLoadException("models/manifest.json", "no models folder found; set Vision:ModelsDirectory or VIDEOFACE_MODELS");
        var path = Path.Combine(dir, "manifest.json");
        if (!File.Exists(path)) throw new ModelLoadException(path, "manifest not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var models = doc.RootElement.GetProperty("packs").GetProperty("default").GetProperty("models")
                .Deserialize<ModelEntry[]>() ?? [];
            return new ModelCatalog(dir, models);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ModelLoadException(path, "manifest is not valid: " + ex.Message, ex);
        }
    }

    /// <summary>The verified path of the default pack's model with this role; a missing or altered file is an error naming it.</summary>
    public string DefaultModelPath(string role)
    {
        var entry = DefaultPack.FirstOrDefault(m => m.Role == role)
                    ?? throw new ModelLoadException(Path.Combine(Directory, "manifest.json"), $"the default pack has no '{role}' model");
        var path = Path.Combine(Directory, entry.Name);
        if (!File.Exists(path))
            throw new ModelLoadException(path, $"missing; expected the {entry.Kind} {role} (input [{string.Join(',', entry.Input)}]). Run models/fetch.sh (part of setup)");
        var actual = Sha256Of(path);
        if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelLoadException(path, $"SHA-256 is {actual}, expected {entry.Sha256} ({entry.Kind} {role}): the file is corrupt or a different model. Run models/fetch.sh to restore it");
        return path;
    }

    private static readonly Dictionary<string, string> HashCache = new();

    private static string Sha256Of(string path)
    {
        var info = new FileInfo(path);
        var key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        lock (HashCache)
        {
            if (HashCache.TryGetValue(key, out var cached)) return cached;
        }
        using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        lock (HashCache) HashCache[key] = hash;
        return hash;
    }

    private static string? FindModelsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models");
            if (File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
        }
        return null;
    }
}
