using VideoFace.Alerts;
using VideoFace.Grains.Alerts;

namespace VideoFace.Alerts.Tests;

public sealed class AlertWindowsTests
{
    private static readonly TimeSpan Summer = TimeSpan.FromHours(2), Winter = TimeSpan.FromHours(1); // Europe/Paris offsets

    [Fact]
    public void Parse_WeekdaysInParis_ReadsDaysTimesAndZone()
    {
        var w = AlertWindows.Parse("Mon-Fri 08:00-18:00 Europe/Paris");
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], w.Days);
        Assert.Equal(new TimeOnly(8, 0), w.Start);
        Assert.Equal(new TimeOnly(18, 0), w.End);
        Assert.Equal("Europe/Paris", w.TimeZoneId);
        Assert.Equal("Mon,Tue,Wed,Thu,Fri 08:00-18:00 Europe/Paris", AlertWindows.Format(w));
        Assert.Equal(w.Days, AlertWindows.Parse(AlertWindows.Format(w)).Days);
    }

    [Theory]
    // Monday 7 July 2025 (summer time, UTC+2)
    [InlineData(2025, 7, 7, 8, 0, true)]
    [InlineData(2025, 7, 7, 17, 59, true)]
    [InlineData(2025, 7, 7, 7, 59, false)]
    [InlineData(2025, 7, 7, 18, 0, false)]
    // Saturday
    [InlineData(2025, 7, 12, 10, 0, false)]
    public void Contains_ParisLocalTime_DecidesBySummerClock(int y, int m, int d, int hour, int minute, bool inside)
    {
        var w = AlertWindows.Parse("Mon-Fri 08:00-18:00 Europe/Paris");
        Assert.Equal(inside, AlertWindows.Contains(w, new DateTimeOffset(y, m, d, hour, minute, 0, Summer)));
    }

    [Fact]
    public void Contains_WinterTime_UsesTheWinterOffset()
    {
        var w = AlertWindows.Parse("Mon-Fri 08:00-18:00 Europe/Paris");
        var mondayWinter0830Paris = new DateTimeOffset(2025, 1, 6, 8, 30, 0, Winter);
        Assert.True(AlertWindows.Contains(w, mondayWinter0830Paris.ToUniversalTime()));
        Assert.False(AlertWindows.Contains(w, new DateTimeOffset(2025, 1, 6, 6, 45, 0, TimeSpan.Zero))); // 07:45 Paris
    }

    [Fact]
    public void Contains_WindowAcrossMidnight_EveningOfListedDayAndFollowingMorning()
    {
        var w = AlertWindows.Parse("Fri 22:00-06:00 UTC");
        Assert.True(AlertWindows.Contains(w, new DateTimeOffset(2025, 7, 11, 23, 0, 0, TimeSpan.Zero)));  // Fri 23:00
        Assert.True(AlertWindows.Contains(w, new DateTimeOffset(2025, 7, 12, 5, 59, 0, TimeSpan.Zero)));  // Sat 05:59
        Assert.False(AlertWindows.Contains(w, new DateTimeOffset(2025, 7, 12, 23, 0, 0, TimeSpan.Zero))); // Sat 23:00
        Assert.False(AlertWindows.Contains(w, new DateTimeOffset(2025, 7, 11, 5, 0, 0, TimeSpan.Zero)));  // Fri 05:00 (Thu night not listed)
    }

    [Fact]
    public void Parse_ListsWrapAroundAndDaily()
    {
        Assert.Equal([DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Monday], AlertWindows.Parse("Sat-Mon 00:00-24:00").Days);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Wednesday], AlertWindows.Parse("Mon,Wed 09:30-10:00").Days);
        Assert.Equal(7, AlertWindows.Parse("daily 00:00-24:00 UTC").Days.Count);
        Assert.True(AlertWindows.Contains(AlertWindows.Parse("daily 00:00-24:00"), DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData("Mon-Fri")]
    [InlineData("Mon-Fri 8-18")]
    [InlineData("Funday 08:00-18:00")]
    [InlineData("Mon-Fri 08:00-18:00 Mars/Olympus_Mons")]
    public void Parse_BadText_ThrowsFormatException(string text) => Assert.Throws<FormatException>(() => AlertWindows.Parse(text));
}
