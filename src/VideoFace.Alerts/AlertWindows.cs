using System.Globalization;
using VideoFace.Abstractions;

namespace VideoFace.Alerts;

/// <summary>Text form of time windows ("Mon-Fri 08:00-18:00 Europe/Paris") and whether an instant falls in one.</summary>
public static class AlertWindows
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>
    /// Parses "DAYS HH:mm-HH:mm [ZONE]": DAYS is a range (Mon-Fri, Fri-Mon), a list (Mon,Wed,Sat), "daily" or "*";
    /// ZONE an IANA time zone id (default UTC). An end before the start spans midnight.
    /// </summary>
    public static AlertTimeWindow Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3) throw new FormatException($"time window '{text}': expected \"DAYS HH:mm-HH:mm [TIMEZONE]\", e.g. \"Mon-Fri 08:00-18:00 Europe/Paris\"");
        var days = ParseDays(parts[0], text);
        var range = parts[1].Split('-');
        if (range.Length != 2 || !TryTime(range[0], out var start) || !TryTime(range[1], out var end))
            throw new FormatException($"time window '{text}': the time range must look like 08:00-18:00");
        var zone = parts.Length == 3 ? parts[2] : "UTC";
        FindZone(zone);
        return new AlertTimeWindow(days, start, end, zone);
    }

    /// <summary>The text form <see cref="Parse"/> reads.</summary>
    public static string Format(AlertTimeWindow w)
    {
        var days = w.Days.Count == 7 ? "daily" : string.Join(',', w.Days.Select(d => DayNames[(int)d]));
        return FormattableString.Invariant($"{days} {w.Start:HH\\:mm}-{w.End:HH\\:mm} {w.TimeZoneId}");
    }

    /// <summary>Whether <paramref name="instant"/>, in the window's time zone, is on one of its days within its time range.</summary>
    public static bool Contains(AlertTimeWindow w, DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, FindZone(w.TimeZoneId));
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        var day = local.DayOfWeek;
        if (w.Start == w.End) return w.Days.Contains(day); // whole days
        if (w.Start < w.End) return w.Days.Contains(day) && time >= w.Start && time < w.End;
        // spans midnight: the evening belongs to the listed day, the early morning to the day after it
        var yesterday = (DayOfWeek)(((int)day + 6) % 7);
        return (w.Days.Contains(day) && time >= w.Start) || (w.Days.Contains(yesterday) && time < w.End);
    }

    /// <summary>The time zone of an IANA (or Windows) id; throws <see cref="FormatException"/> naming an unknown one.</summary>
    public static TimeZoneInfo FindZone(string id)
    {
        if (id is "UTC" or "Z" or "Etc/UTC") return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"unknown time zone '{id}' (use an IANA id such as Europe/Paris)", ex);
        }
    }

    /// <summary>HH:mm; "24:00" is midnight at the end of the day (read as 00:00, which the span-midnight rule makes right).</summary>
    private static bool TryTime(string s, out TimeOnly time)
    {
        if (s == "24:00")
        {
            time = TimeOnly.MinValue;
            return true;
        }
        return TimeOnly.TryParseExact(s, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static List<DayOfWeek> ParseDays(string s, string text)
    {
        if (s is "*" || s.Equals("daily", StringComparison.OrdinalIgnoreCase) || s.Equals("all", StringComparison.OrdinalIgnoreCase))
            return [.. Enum.GetValues<DayOfWeek>()];
        var days = new List<DayOfWeek>();
        foreach (var item in s.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = item.Split('-');
            if (ends.Length == 1) Add(Day(ends[0]));
            else if (ends.Length == 2)
            {
                var (from, to) = (Day(ends[0]), Day(ends[1]));
                for (var d = from; ; d = (DayOfWeek)(((int)d + 1) % 7))
                {
                    Add(d);
                    if (d == to) break;
                }
            }
            else throw new FormatException($"time window '{text}': bad days '{item}'");
        }
        return days;

        void Add(DayOfWeek d)
        {
            if (!days.Contains(d)) days.Add(d);
        }

        DayOfWeek Day(string name)
        {
            int i = Array.FindIndex(DayNames, n => name.StartsWith(n, StringComparison.OrdinalIgnoreCase) && name.Length >= 2);
            if (i < 0) throw new FormatException($"time window '{text}': unknown day '{name}' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
            return (DayOfWeek)i;
        }
    }
}
