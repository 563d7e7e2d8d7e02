using System.Net;

namespace VideoFace.Media.Security;

/// <summary>
/// Where the server may reach on behalf of an API caller (configuration section "VideoFace:Security"): which camera
/// inputs ffmpeg may open and which hosts webhooks may post to.
/// </summary>
public sealed class SecurityOptions
{
    public const string SectionName = "VideoFace:Security";

    /// <summary>URL schemes a camera may use (rtsp, rtsps, http, https at most: ffmpeg's other protocols are never opened).</summary>
    public List<string> CameraSchemes { get; set; } = [];

    /// <summary>Folders whose files may be cameras (a video played like a live camera). Empty: no local file may be a camera.</summary>
    public List<string> MediaFolders { get; set; } = [];

    /// <summary>
    /// Loopback and private networks (CIDR, e.g. "192.168.0.0/16", "127.0.0.1/32") cameras may be on. Empty (the
    /// default): cameras must be on public addresses. Cameras usually sit on a private network: list it here.
    /// </summary>
    public List<string> CameraNetworks { get; set; } = [];

    /// <summary>Loopback and private networks (CIDR) webhooks may post to. Empty (the default): public addresses only.</summary>
    public List<string> WebhookNetworks { get; set; } = [];

    /// <summary>The schemes in effect: the configured ones, or all four when none are configured.</summary>
    public IReadOnlyList<string> EffectiveCameraSchemes =>
        CameraSchemes.Count == 0 ? UrlPolicy.SupportedCameraSchemes : [.. CameraSchemes.Select(s => s.Trim().ToLowerInvariant())];

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        string K(string key) => $"{SectionName}:{key}";
        foreach (var scheme in CameraSchemes)
            if (!UrlPolicy.SupportedCameraSchemes.Contains(scheme.Trim().ToLowerInvariant()))
                errors.Add($"{K(nameof(CameraSchemes))}: '{scheme}' is not allowed (use rtsp, rtsps, http or https)");
        foreach (var folder in MediaFolders)
            if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathFullyQualified(folder))
                errors.Add($"{K(nameof(MediaFolders))}: '{folder}' must be an absolute folder path");
            else if (Path.GetFullPath(folder) == Path.GetPathRoot(Path.GetFullPath(folder)))
                errors.Add($"{K(nameof(MediaFolders))}: '{folder}' is the file system root; name the folder that holds the videos");
        foreach (var (key, list) in new[] { (nameof(CameraNetworks), CameraNetworks), (nameof(WebhookNetworks), WebhookNetworks) })
            foreach (var cidr in list)
            {
                if (!IPNetwork.TryParse(cidr.Trim(), out var network))
                    errors.Add($"{K(key)}: '{cidr}' is not a network in CIDR form (e.g. 192.168.0.0/16 or 127.0.0.1/32)");
                else if (UrlPolicy.AlwaysRefused(network.BaseAddress) is { } why)
                    errors.Add($"{K(key)}: '{cidr}' is {why}, which is always refused");
            }
        return errors;
    }
}
