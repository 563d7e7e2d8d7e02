namespace VideoFace.Vision.Tests;

/// <summary>Paths of the repository and of the shared real-face data beside it.</summary>
internal static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared next to the repository (real faces, videos, small models); read-only.</summary>
    public static string Shared
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            if (!Directory.Exists(Path.Combine(dir, "data")))
                throw new InvalidOperationException($"shared test data not found at {dir}: these tests need ../shared/data beside the repository");
            return dir;
        }
    }

    public static string Faces => Path.Combine(Shared, "data", "faces-dev");
    public static string Multiface(string name) => Path.Combine(Shared, "data", "multiface", name);
    /// <summary>The <paramref name="n"/>-th photo (1-based, ordinal file order) of a dev-faces identity.</summary>
    public static string Face(string person, int n) =>
        Directory.GetFiles(Path.Combine(Faces, person)).Order(StringComparer.Ordinal).ElementAt(n - 1);
    public static string TestModel(string name) => Path.Combine(Shared, "models-test", name);
    public static string Models => Path.Combine(RepoRoot, "models");

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VideoFace.sln")) || Directory.Exists(Path.Combine(d.FullName, ".git")))
                return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
