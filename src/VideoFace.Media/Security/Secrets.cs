using System.Text.RegularExpressions;

namespace VideoFace.Media.Security;

/// <summary>Masks credentials in camera URLs and in text that may quote them (ffmpeg's messages, logs, API answers).</summary>
public static partial class Secrets
{
    public const string Mask = "***";

    /// <summary>
    /// <c>rtsp://admin:pw@host/…</c> becomes <c>rtsp://admin:***@host/…</c>, and the values of query parameters that
    /// carry secrets (password, token, key, signature, …) become <c>***</c>. Paths and other URLs are returned as they are.
    /// </summary>
    public static string RedactUrl(string? url)
    {
        if (string.IsNullOrEmpty(url)) return url ?? "";
        var text = UserInfo().Replace(url, m => m.Groups["user"].Value + ":" + Mask + "@");
        return SecretQuery().Replace(text, m => m.Groups["name"].Value + "=" + Mask);
    }

    /// <summary>Redacts every URL with credentials inside free text.</summary>
    public static string RedactText(string? text) => RedactUrl(text);

    /// <summary>Whether <paramref name="candidate"/> is the redacted form of <paramref name="url"/> (a client sending back what it was shown).</summary>
    public static bool IsRedactedFormOf(string candidate, string url) =>
        !string.Equals(candidate, url, StringComparison.Ordinal) && string.Equals(RedactUrl(url), candidate, StringComparison.Ordinal);

    // scheme://user:password@ (the password ends at the last '@' before the host; it may itself hold ':' or '@'-free text)
    [GeneratedRegex(@"(?<=[a-zA-Z][a-zA-Z0-9+.-]*://)(?<user>[^:/@\s?#]*):(?<pass>[^\s/?#]*)@(?=[^\s@]*)")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<=[?&])(?<name>(?:password|passwd|pass|pwd|token|access_token|key|api_key|apikey|secret|signature|sig|auth))=(?<value>[^&#\s]*)",
        RegexOptions.IgnoreCase)]
    private static partial Regex SecretQuery();
}
