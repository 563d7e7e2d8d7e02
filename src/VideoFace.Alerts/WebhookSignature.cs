using System.Security.Cryptography;
using System.Text;

namespace VideoFace.Alerts;

/// <summary>The X-VideoFace-Signature header: "sha256=" + hex HMAC-SHA256 of the exact body bytes with the rule's secret.</summary>
public static class WebhookSignature
{
    public const string Header = "X-VideoFace-Signature";
    public const string DeliveryHeader = "X-VideoFace-Delivery";
    public const string Prefix = "sha256=";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Constant-time check of a received signature header (what a receiver does).</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }
}
