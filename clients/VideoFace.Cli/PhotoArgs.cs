namespace VideoFace.Cli;

/// <summary>Photo arguments of the server commands: files as given, folders expanded to their images.</summary>
internal static class PhotoArgs
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    /// <summary>The files, each folder's images in name order; a missing path, or nothing at all, is an error.</summary>
    public static List<string> Expand(IEnumerable<string> args)
    {
        var photos = new List<string>();
        foreach (var a in args)
        {
            if (Directory.Exists(a))
                photos.AddRange(Directory.EnumerateFiles(a).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            else if (File.Exists(a)) photos.Add(a);
            else throw new UserException($"photo not found: {a}");
        }
        if (photos.Count == 0) throw new UserException("no photos (the folders hold no images)");
        return photos;
    }
}
