using VideoFace.Media.Security;

namespace VideoFace.Hosting.Security;

/// <summary>Start-up checks of VideoFace:Security that need the host settings.</summary>
internal static class SecuritySetup
{
    /// <summary>The options' own checks, plus: no media folder may hold the data folder (state, keys, index, blobs).</summary>
    public static IReadOnlyList<string> Validate(SecurityOptions options, VideoFaceHostOptions host)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0 || string.IsNullOrWhiteSpace(host.DataDirectory)) return errors;
        var data = Path.GetFullPath(host.DataDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var folder in options.MediaFolders)
        {
            var media = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (data.StartsWith(media, StringComparison.Ordinal) || media.StartsWith(data, StringComparison.Ordinal))
                errors.Add($"{SecurityOptions.SectionName}:MediaFolders: '{folder}' overlaps the data folder {host.DataDirectory}; media folders must not hold it or be inside it");
        }
        return errors;
    }
}
