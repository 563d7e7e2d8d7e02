using System.Net;
using System.Net.Sockets;
using VideoFace.Media.Sources;

namespace VideoFace.Media.Security;

/// <summary>Why a URL was refused: the rule (a configuration key or a fixed rule) and a message for the caller.</summary>
public sealed record UrlRefusal(string Rule, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// Decides which camera inputs and webhook targets the server may reach (<see cref="SecurityOptions"/>): camera
/// schemes, local files only under the media folders, no listening inputs, host names resolved and every address
/// checked; link-local and cloud metadata addresses always refused, loopback and private ranges only where configured.
/// </summary>
/// <remarks>
/// A refusal reads the same whether the target exists or not (a file, a port, a metadata service): it is decided from
/// the URL and the resolved addresses alone, before anything is opened, so it tells an attacker nothing.
/// </remarks>
public sealed class UrlPolicy
{
    /// <summary>The only camera schemes the server supports; configuration can narrow them.</summary>
    public static readonly IReadOnlyList<string> SupportedCameraSchemes = ["rtsp", "rtsps", "http", "https"];

    private const string Rules = SecurityOptions.SectionName;
    private readonly SecurityOptions _options;
    private readonly string[] _mediaFolders;
    private readonly string[] _protectedFolders;
    private readonly IPNetwork[] _cameraNetworks;
    private readonly IPNetwork[] _webhookNetworks;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    // cloud metadata services outside 169.254/16 (Alibaba, Azure wire server, AWS over IPv6)
    private static readonly IPAddress[] Metadata =
        [IPAddress.Parse("100.100.100.200"), IPAddress.Parse("168.63.129.16"), IPAddress.Parse("fd00:ec2::254")];

    private static readonly IPNetwork[] Private =
    [
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"),
    ];

    /// <param name="options">The settings (validated here).</param>
    /// <param name="protectedFolders">Folders never opened as a camera even inside a media folder (the data folder: state, keys, blobs).</param>
    /// <param name="resolve">Host name resolution (DNS by default).</param>
    public UrlPolicy(SecurityOptions options, IEnumerable<string>? protectedFolders = null,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        _options = options;
        _mediaFolders = [.. options.MediaFolders.Select(f => WithSeparator(Resolved(Path.GetFullPath(f))))];
        _protectedFolders = [.. (protectedFolders ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => WithSeparator(Resolved(Path.GetFullPath(f))))];
        _cameraNetworks = [.. options.CameraNetworks.Select(c => IPNetwork.Parse(c.Trim()))];
        _webhookNetworks = [.. options.WebhookNetworks.Select(c => IPNetwork.Parse(c.Trim()))];
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
    }

    /// <summary>Checks a camera URL or path; null when ffmpeg may open it.</summary>
    public async Task<UrlRefusal?> CheckCameraAsync(string urlOrPath, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(urlOrPath)) return new("url", "camera url is empty");
        if (urlOrPath.Any(char.IsControl))
            return new("url", "camera url refused: it holds control characters (newlines, tabs, …)");
        // a scheme prefix (udp:, concat:, subfile:, pipe:, …) is judged as a scheme even where it is no valid URI
        var colon = urlOrPath.IndexOf(':', StringComparison.Ordinal);
        if (colon > 1 && urlOrPath[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') && char.IsAsciiLetter(urlOrPath[0]))
        {
            var prefix = urlOrPath[..colon].ToLowerInvariant();
            if (prefix != "file" && !_options.EffectiveCameraSchemes.Contains(prefix)) return SchemeRefused(prefix);
        }
        MediaLocation location;
        try
        {
            location = MediaLocation.Parse(urlOrPath);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or NotSupportedException or PathTooLongException)
        {
            return new("url", "camera url is neither a URL nor a file path");
        }
        if (location.Kind == MediaKind.File) return CheckFile(location.Value);

        var uri = new Uri(location.Value);
        var scheme = uri.Scheme.ToLowerInvariant();
        if (!_options.EffectiveCameraSchemes.Contains(scheme)) return SchemeRefused(scheme);
        if (IsListening(uri))
            return new("listening inputs", "camera url refused (no listening inputs): the server never listens for a stream");
        return await CheckHostAsync(uri, _cameraNetworks, "CameraNetworks", "camera", ct).ConfigureAwait(false);
    }

    /// <summary>Checks a webhook URL; null when the server may post to it.</summary>
    public async Task<UrlRefusal?> CheckWebhookAsync(string url, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Any(char.IsControl)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return new("webhook scheme", "webhook url refused: it must be an absolute http or https URL");
        return await CheckHostAsync(uri, _webhookNetworks, "WebhookNetworks", "webhook", ct).ConfigureAwait(false);
    }

    /// <summary>Checks one address a webhook connection is about to use (called again at connect time, so DNS cannot switch it).</summary>
    public UrlRefusal? CheckWebhookAddress(IPAddress address) => CheckAddress(address, _webhookNetworks, "WebhookNetworks", "webhook");

    /// <summary>Checks one address a camera stream is about to use.</summary>
    public UrlRefusal? CheckCameraAddress(IPAddress address) => CheckAddress(address, _cameraNetworks, "CameraNetworks", "camera");

    /// <summary>Why an address is refused whatever the configuration (link-local, metadata, unspecified, multicast), or null.</summary>
    public static string? AlwaysRefused(IPAddress address)
    {
        address = Normalize(address);
        if (Metadata.Contains(address)) return "a cloud metadata address";
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            if (b[0] == 169 && b[1] == 254) return "link-local (169.254.0.0/16, where cloud metadata services live)";
            if (b[0] == 0) return "an unspecified address (0.0.0.0/8)";
            if (b[0] >= 224) return "a multicast, reserved or broadcast address";
            return null;
        }
        if (address.Equals(IPAddress.IPv6Any)) return "the unspecified address (::)";
        if (address.IsIPv6LinkLocal) return "link-local (fe80::/10)";
        if (address.IsIPv6Multicast) return "a multicast address";
        if (address.IsIPv6SiteLocal) return "site-local (fec0::/10)";
        return null;
    }

    private UrlRefusal SchemeRefused(string scheme) => new($"{Rules}:CameraSchemes",
        $"camera url refused ({Rules}:CameraSchemes): scheme '{scheme}' is not allowed; use {string.Join(", ", _options.EffectiveCameraSchemes)}");

    private UrlRefusal? CheckFile(string fullPath)
    {
        var real = Resolved(fullPath);
        var isProtected = _protectedFolders.Any(f => fullPath.StartsWith(f, StringComparison.Ordinal) || real.StartsWith(f, StringComparison.Ordinal));
        foreach (var folder in _mediaFolders)
            if (!isProtected && fullPath.StartsWith(folder, StringComparison.Ordinal) && real.StartsWith(folder, StringComparison.Ordinal))
                return null;
        // the same answer whether the file exists or not
        return new($"{Rules}:MediaFolders",
            $"camera url refused ({Rules}:MediaFolders): local files may be cameras only under the configured media folders (never in the data folder)");
    }

    private async Task<UrlRefusal?> CheckHostAsync(Uri uri, IPNetwork[] allowed, string key, string what, CancellationToken ct)
    {
        var host = uri.IdnHost.Trim('[', ']');
        if (host.Length == 0) return new("url", $"{what} url refused: it names no host");
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await _resolve(host, ct).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                addresses = [];
            }
            if (addresses.Length == 0)
                return new("host resolves", $"{what} url refused: host '{host}' does not resolve, so its addresses cannot be checked");
        }
        foreach (var address in addresses)
            if (CheckAddress(address, allowed, key, what) is { } refusal) return refusal;
        return null;
    }

    private static UrlRefusal? CheckAddress(IPAddress address, IPNetwork[] allowed, string key, string what)
    {
        address = Normalize(address);
        if (AlwaysRefused(address) is { } why)
            return new("link-local and metadata addresses", $"{what} url refused (link-local and metadata addresses are never reached): {address} is {why}");
        if (Private.Any(n => n.Contains(address)) && !allowed.Any(n => n.Contains(address)))
            return new($"{Rules}:{key}",
                $"{what} url refused ({Rules}:{key}): {address} is a loopback or private address; list its network in {Rules}:{key} to allow it");
        return null;
    }

    // ffmpeg listens when asked by URL options (rtsp ?listen, http ?listen=1, tcp ?listen); never on behalf of a caller
    private static bool IsListening(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Any(p => p.Split('=')[0].Equals("listen", StringComparison.OrdinalIgnoreCase))
        || uri.Host is "0.0.0.0" or "[::]" or "::";

    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its last four bytes
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
                return new IPAddress(b.AsSpan(12, 4));
        }
        return address;
    }

    // the real path, symbolic links followed, so a link inside a media folder cannot point outside it
    private static string Resolved(string fullPath)
    {
        try
        {
            var dir = Path.GetDirectoryName(fullPath);
            var resolvedDir = dir is null ? null : Resolved(dir);
            var combined = resolvedDir is null ? fullPath : Path.Combine(resolvedDir, Path.GetFileName(fullPath));
            var info = new FileInfo(combined);
            if (info.LinkTarget is not null) return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? combined;
            return combined;
        }
        catch (IOException) { return fullPath; }
        catch (UnauthorizedAccessException) { return fullPath; }
    }

    private static string WithSeparator(string folder) =>
        folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
}
