namespace VideoFace.Hosting.Api;

/// <summary>Sizes the API accepts, checked at the edge so nothing larger is stored or shown.</summary>
public static class ApiLimits
{
    /// <summary>Largest accepted multipart upload (all photos of one request).</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    /// <summary>Largest accepted JSON body.</summary>
    public const long MaxJsonBytes = 1024 * 1024;

    /// <summary>Largest single photo.</summary>
    public const long MaxPhotoBytes = 20L * 1024 * 1024;

    /// <summary>Most photos in one enrolment.</summary>
    public const int MaxPhotosPerRequest = 100;

    /// <summary>Longest id (camera, rule, identity, key).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Longest display name (person, camera, zone, rule).</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest camera or webhook URL.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Most entries in a list field (cameras of a rule or a search, windows of a rule).</summary>
    public const int MaxListEntries = 100;

    /// <summary>Longest webhook signing secret.</summary>
    public const int MaxSecretLength = 256;

    /// <summary>Letters, digits, '-', '_' or '.', 1 to <see cref="MaxIdLength"/> characters.</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Throws 400 unless <paramref name="id"/> is a valid id; <paramref name="what"/> names it in the message.</summary>
    public static string Id(string? id, string what) => IsValidId(id)
        ? id!
        : throw new BadInputException($"{what}: use letters, digits, '-', '_' or '.' (1 to {MaxIdLength} characters)");

    /// <summary>Throws 400 when an identity or person id in a path is too long to be one (a shorter unknown id is a 404).</summary>
    public static string PathId(string id, string what) => id.Length <= MaxIdLength
        ? id
        : throw new BadInputException($"{what} is {id.Length} characters; ids have at most {MaxIdLength}");

    /// <summary>The trimmed text, or 400 when it is longer than <paramref name="max"/> or has control characters.</summary>
    public static string? Text(string? value, string field, int max = MaxNameLength)
    {
        if (value is null) return null;
        var t = value.Trim();
        if (t.Length > max) throw new BadInputException($"{field} is {t.Length} characters; at most {max} are accepted");
        if (t.Any(char.IsControl)) throw new BadInputException($"{field} contains control characters");
        return t;
    }

    /// <summary>400 when a list has more than <see cref="MaxListEntries"/> entries.</summary>
    public static void Count<T>(IReadOnlyCollection<T>? list, string field)
    {
        if (list is { Count: > MaxListEntries }) throw new BadInputException($"{field} has {list.Count} entries; at most {MaxListEntries} are accepted");
    }
}
