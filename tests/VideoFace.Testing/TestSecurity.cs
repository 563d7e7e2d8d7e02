namespace VideoFace.Testing;

/// <summary>
/// The VideoFace:Security settings test hosts need: test clips (temporary folders, ../shared/data, artifacts) may be
/// cameras, and loopback is allowed for cameras (the RTSP server fixture) and webhooks (the test receivers). Everything
/// else keeps the defaults, so link-local, metadata and other private addresses stay refused in tests too.
/// </summary>
public static class TestSecurity
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["VideoFace:Security:MediaFolders:0"] = Path.Combine(Path.GetTempPath(), "videoface-tests"),
        ["VideoFace:Security:MediaFolders:1"] = RepoPaths.SharedData,
        ["VideoFace:Security:MediaFolders:2"] = Path.Combine(RepoPaths.Root, "artifacts"),
        ["VideoFace:Security:CameraNetworks:0"] = "127.0.0.0/8",
        ["VideoFace:Security:WebhookNetworks:0"] = "127.0.0.0/8",
    };

    /// <summary>Adds <see cref="Settings"/> to a host's settings (keeping any the test set itself) and returns them.</summary>
    public static Dictionary<string, string?> Allow(Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in Settings) settings.TryAdd(key, value);
        return settings;
    }
}
