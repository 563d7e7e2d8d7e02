namespace VideoFace.Detection.Tests;

/// <summary>Finds the shared test data folder (../shared next to the repository root) that holds real faces and models.</summary>
public static class SharedData
{
    private static readonly Lazy<string?> RootPath = new(FindRoot);

    /// <summary>The shared folder, or null when this checkout has none.</summary>
    public static string? Root => RootPath.Value;

    /// <summary>Why data-driven tests are skipped when the folder is absent.</summary>
    public static string SkipReason =>
        $"shared test data not found: expected a 'shared' folder with models-test/ and data/ next to the repository root (searched up from {AppContext.BaseDirectory})";

    public static string Model(string file) => Path.Combine(Root ?? throw new InvalidOperationException(SkipReason), "models-test", file);

    public static string Data(string relative) => Path.Combine(Root ?? throw new InvalidOperationException(SkipReason), "data", relative);

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            bool isRepoRoot = File.Exists(Path.Combine(dir.FullName, "VideoFace.sln")) || Path.Exists(Path.Combine(dir.FullName, ".git"));
            if (!isRepoRoot) continue;
            var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            return Directory.Exists(Path.Combine(shared, "models-test")) && Directory.Exists(Path.Combine(shared, "data")) ? shared : null;
        }
        return null;
    }
}

/// <summary>A fact that is skipped, with the reason, when the shared test data is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that is skipped, with the reason, when the shared test data is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (SharedData.Root is null) Skip = SharedData.SkipReason;
    }
}
