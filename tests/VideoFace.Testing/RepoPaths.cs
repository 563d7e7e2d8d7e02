namespace VideoFace.Testing;

/// <summary>Locations of the repository and the shared data next to it.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the test binaries holding VideoFace.sln or .git.</summary>
    public static string Root => RootPath.Value;

    /// <summary>../shared/data relative to the repository root (face photos and clips; never committed).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoFace.sln")) || Directory.Exists(Path.Combine(dir.FullName, ".git")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no VideoFace.sln or .git above {AppContext.BaseDirectory}");
    }
}
