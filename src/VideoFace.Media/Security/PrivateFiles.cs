using System.Runtime.InteropServices;

namespace VideoFace.Media.Security;

/// <summary>Keeps the server's data (state, index, blobs, the API key) readable by its own user only.</summary>
public static partial class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates the folder as 0700, makes what is already in it 0700 (folders) and 0600 (files), and sets the process
    /// umask to 077 so that everything created later (SQLite, index, blobs) is owner-only too. No-op on Windows.
    /// </summary>
    public static void Restrict(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        _ = Umask(0b000_111_111); // 077: before anything below creates a file
        Directory.CreateDirectory(folder, FolderMode);
        File.SetUnixFileMode(folder, FolderMode);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null) continue;
            try
            {
                entry.UnixFileMode = entry is DirectoryInfo ? FolderMode : FileMode;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // not ours to change (e.g. a mounted volume's root); the 0700 folder above still shuts others out
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
