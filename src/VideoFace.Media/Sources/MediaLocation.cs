namespace VideoFace.Media.Sources;

/// <summary>Kinds of input ffmpeg is asked to open.</summary>
public enum MediaKind
{
    File,
    Rtsp,
    Http,
    Hls,
    /// <summary>Another ffmpeg protocol (rtmp, srt, udp, ...), treated as live.</summary>
    OtherStream,
}

/// <summary>A parsed input: a local file or a URL, with its kind.</summary>
public sealed record MediaLocation(string Value, MediaKind Kind)
{
    public static MediaLocation Parse(string urlOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(urlOrPath);
        if (Uri.TryCreate(urlOrPath, UriKind.Absolute, out var uri) && !uri.IsFile && uri.Scheme.Length > 1)
        {
            var kind = uri.Scheme.ToLowerInvariant() switch
            {
                "rtsp" or "rtsps" => MediaKind.Rtsp,
                "http" or "https" when uri.AbsolutePath.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) => MediaKind.Hls,
                "http" or "https" => MediaKind.Http,
                "file" => MediaKind.File,
                _ => MediaKind.OtherStream,
            };
            return new MediaLocation(urlOrPath, kind);
        }

        var path = urlOrPath.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? new Uri(urlOrPath).LocalPath : urlOrPath;
        return new MediaLocation(Path.GetFullPath(path), MediaKind.File);
    }

    public bool IsNetwork => Kind != MediaKind.File;

    /// <summary>Live sources reconnect when their stream ends; files and plain HTTP downloads end.</summary>
    public bool IsLiveByDefault => Kind is MediaKind.Rtsp or MediaKind.Hls or MediaKind.OtherStream;

    /// <summary>The location with any password (user info or secret query parameter) masked, for logs and health messages.</summary>
    public string Redacted => IsNetwork ? Security.Secrets.RedactUrl(Value) : Value;

    public override string ToString() => Redacted;
}
