using System.Diagnostics;
using System.Globalization;
using Fluid.Api.Scheduling;

namespace Fluid.Api.Tests.Scheduling;

public class CronScheduleTests
{
    // US Eastern rules (UTC-5, daylight UTC-4 from the second Sunday of March 02:00 to the first
    // Sunday of November 02:00), built here so the test does not depend on the machine's tz data.
    // In 2024 the clocks skip 02:00-03:00 on 10 March and repeat 01:00-02:00 on 3 November.
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.CreateCustomTimeZone(
        "Test/New_York",
        TimeSpan.FromHours(-5),
        "Test New York",
        "EST",
        "EDT",
        [
            TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                DateTime.MinValue.Date,
                DateTime.MaxValue.Date,
                TimeSpan.FromHours(1),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday)),
        ]);

    // 2024-05-01 is a Wednesday.
    [Theory]
    // Plain fields, strictly after, seconds dropped
    [InlineData("* * * * *", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z", "")]
    [InlineData("* * * * *", "2024-05-01T10:00:30.5Z", "2024-05-01T10:01:00Z", "")]
    [InlineData("0 * * * *", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", "")]
    [InlineData("30 9 * * *", "2024-05-01T10:00:00Z", "2024-05-02T09:30:00Z", "")]
    [InlineData("  0   9 * *\tMON  ", "2024-05-01T00:00:00Z", "2024-05-06T09:00:00Z", "")]
    [InlineData("? * * * *", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z", "")]
    [InlineData("0 12 * * *", "2024-05-01T13:30:00+02:00", "2024-05-01T12:00:00Z", "")]
    // Ranges, steps, lists
    [InlineData("0 9-17 * * *", "2024-05-01T17:00:00Z", "2024-05-02T09:00:00Z", "")]
    [InlineData("10-12 * * * *", "2024-05-01T10:12:00Z", "2024-05-01T11:10:00Z", "")]
    [InlineData("*/15 * * * *", "2024-05-01T10:46:00Z", "2024-05-01T11:00:00Z", "")]
    [InlineData("5-40/10 * * * *", "2024-05-01T10:36:00Z", "2024-05-01T11:05:00Z", "")]
    [InlineData("50/5 * * * *", "2024-05-01T10:56:00Z", "2024-05-01T11:50:00Z", "")]
    [InlineData("0 */6 * * *", "2024-05-01T13:00:00Z", "2024-05-01T18:00:00Z", "")]
    [InlineData("*/90 * * * *", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", "")]
    [InlineData("0 8,12,18 * * *", "2024-05-01T12:00:00Z", "2024-05-01T18:00:00Z", "")]
    [InlineData("15,45 1-3,22 * * *", "2024-05-01T03:45:00Z", "2024-05-01T22:15:00Z", "")]
    // Month and day names, 7 = Sunday
    [InlineData("0 0 1 JAN,jul *", "2024-02-10T00:00:00Z", "2024-07-01T00:00:00Z", "")]
    [InlineData("0 12 15 mar-May *", "2024-05-15T12:00:00Z", "2025-03-15T12:00:00Z", "")]
    [InlineData("0 9 * * MON-FRI", "2024-05-03T09:00:00Z", "2024-05-06T09:00:00Z", "")]
    [InlineData("0 0 * * sat,sun", "2024-05-06T00:00:00Z", "2024-05-11T00:00:00Z", "")]
    [InlineData("0 10 * * 7", "2024-05-01T00:00:00Z", "2024-05-05T10:00:00Z", "")]
    [InlineData("0 10 * * 5-7", "2024-05-05T10:00:00Z", "2024-05-10T10:00:00Z", "")]
    [InlineData("0 0 * * 0", "2024-05-04T12:00:00Z", "2024-05-05T00:00:00Z", "")]
    // Day-of-month and day-of-week: either when both are restricted, both when one is a star
    [InlineData("0 0 13 * 5", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", "")]
    [InlineData("0 0 13 * 5", "2024-05-10T00:00:00Z", "2024-05-13T00:00:00Z", "")]
    [InlineData("0 0 ? * FRI", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", "")]
    [InlineData("0 0 */1 * MON", "2024-05-01T00:00:00Z", "2024-05-06T00:00:00Z", "")]
    [InlineData("0 0 */2 * MON", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", "")]
    [InlineData("0 0 1 * ?", "2024-05-02T00:00:00Z", "2024-06-01T00:00:00Z", "")]
    // Month and year rollover, leap years, nothing within five years
    [InlineData("0 0 31 * *", "2024-04-15T00:00:00Z", "2024-05-31T00:00:00Z", "")]
    [InlineData("0 0 31 * *", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z", "")]
    [InlineData("0 0 29 2 *", "2023-06-01T00:00:00Z", "2024-02-29T00:00:00Z", "")]
    [InlineData("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z", "")]
    [InlineData("0 0 29 2 *", "2097-03-01T00:00:00Z", "", "")]
    [InlineData("0 0 30 2 *", "2024-01-01T00:00:00Z", "", "")]
    [InlineData("59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z", "")]
    [InlineData("* * * * *", "2024-12-31T23:59:00Z", "2025-01-01T00:00:00Z", "")]
    // Descriptors
    [InlineData("@hourly", "2024-05-01T10:59:59Z", "2024-05-01T11:00:00Z", "")]
    [InlineData("@daily", "2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z", "")]
    [InlineData("@midnight", "2024-05-01T23:59:00Z", "2024-05-02T00:00:00Z", "")]
    [InlineData("@weekly", "2024-05-01T00:00:00Z", "2024-05-05T00:00:00Z", "")]
    [InlineData("@monthly", "2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z", "")]
    [InlineData("@yearly", "2024-05-01T00:00:00Z", "2025-01-01T00:00:00Z", "")]
    [InlineData("@annually", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "")]
    [InlineData(" @daily ", "2024-05-01T12:00:00Z", "2024-05-02T00:00:00Z", "")]
    [InlineData("@every 1h30m", "2024-05-01T10:00:30.7Z", "2024-05-01T11:30:30Z", "")]
    [InlineData("@every 90s", "2024-05-01T10:00:00Z", "2024-05-01T10:01:30Z", "")]
    [InlineData("@every 2500ms", "2024-05-01T10:00:00Z", "2024-05-01T10:00:02Z", "")]
    [InlineData("@every 1h", "2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00", "NY")]
    // A zone with daylight saving: the result carries the zone's offset
    [InlineData("0 9 * * *", "2024-05-01T12:00:00Z", "2024-05-01T09:00:00-04:00", "NY")]
    [InlineData("0 9 * * *", "2024-12-01T12:00:00Z", "2024-12-01T09:00:00-05:00", "NY")]
    [InlineData("@daily", "2024-11-03T00:00:00-04:00", "2024-11-04T00:00:00-05:00", "NY")]
    // Spring forward: 02:00-02:59 does not exist on 10 March, so 02:30 does not run that day
    [InlineData("30 2 * * *", "2024-03-09T03:00:00-05:00", "2024-03-11T02:30:00-04:00", "NY")]
    [InlineData("0 * * * *", "2024-03-10T01:00:00-05:00", "2024-03-10T03:00:00-04:00", "NY")]
    [InlineData("* * * * *", "2024-03-10T01:59:00-05:00", "2024-03-10T03:00:00-04:00", "NY")]
    // Fall back: 01:00-01:59 happens twice on 3 November and runs at both instants
    [InlineData("30 1 * * *", "2024-11-03T00:00:00-04:00", "2024-11-03T01:30:00-04:00", "NY")]
    [InlineData("30 1 * * *", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "NY")]
    [InlineData("30 1 * * *", "2024-11-03T01:30:00-05:00", "2024-11-04T01:30:00-05:00", "NY")]
    [InlineData("30,50 1 * * *", "2024-11-03T01:40:00-04:00", "2024-11-03T01:50:00-04:00", "NY")]
    [InlineData("30,50 1 * * *", "2024-11-03T01:50:00-04:00", "2024-11-03T01:30:00-05:00", "NY")]
    [InlineData("* * * * *", "2024-11-03T01:59:00-04:00", "2024-11-03T01:00:00-05:00", "NY")]
    public void Finds_the_next_run(string expression, string after, string expected, string zone)
    {
        var schedule = CronSchedule.Parse(expression);

        var next = schedule.Next(Time(after), zone == "NY" ? NewYork : null);

        if (expected.Length == 0)
        {
            Assert.Null(next);
        }
        else
        {
            Assert.NotNull(next);
            Assert.Equal(Time(expected).UtcDateTime, next.Value.UtcDateTime);
            Assert.Equal(Time(expected).Offset, next.Value.Offset);
        }
    }

    [Theory]
    [InlineData("", "the schedule is empty")]
    [InlineData("   ", "the schedule is empty")]
    [InlineData("0 1 *", "expected 5 fields (minute hour day-of-month month day-of-week), got 3: \"0 1 *\"; or use @hourly, @daily, @weekly, @monthly, @yearly, @every 1h")]
    [InlineData("0 0 1 * * *", "got 6: \"0 0 1 * * *\"; a seconds field is not supported, drop the first field")]
    [InlineData("TZ=Europe/Paris 0 1 * * *", "a time zone cannot be part of the schedule; set the CronJob's timeZone field instead (timeZone: Europe/Paris)")]
    [InlineData("CRON_TZ=UTC 0 1 * * *", "without it (\"0 1 * * *\")")]
    [InlineData("0 25 * * *", "hour field \"25\": 25 is out of range 0-23")]
    [InlineData("60 * * * *", "minute field \"60\": 60 is out of range 0-59")]
    [InlineData("99999999999 * * * *", "minute field \"99999999999\": 99999999999 is out of range 0-59")]
    [InlineData("0 0 0 * *", "day-of-month field \"0\": 0 is out of range 1-31")]
    [InlineData("0 0 * 13 *", "month field \"13\": 13 is out of range 1-12")]
    [InlineData("0 0 * * 8", "day-of-week field \"8\": 8 is out of range 0-7 (0 and 7 are Sunday)")]
    [InlineData("*/0 * * * *", "minute field \"*/0\": a step must be at least 1")]
    [InlineData("*/x * * * *", "minute field \"*/x\": step \"x\" is not a number")]
    [InlineData("*/ * * * *", "minute field \"*/\": \"*/\" needs a step after \"/\"")]
    [InlineData("/5 * * * *", "needs a value or \"*\" before \"/\", e.g. \"*/5\"")]
    [InlineData("*/5/2 * * * *", "\"*/5/2\" has more than one \"/\"")]
    [InlineData("1-2-3 * * * *", "\"1-2-3\" has more than one \"-\"")]
    [InlineData("5- * * * *", "minute field \"5-\": \"5-\" is missing a number")]
    [InlineData("*-5 * * * *", "a range cannot start with *; write \"0-5\"")]
    [InlineData("1,,2 * * * *", "minute field \"1,,2\": a list has an empty entry")]
    [InlineData("MON * * * *", "minute field \"MON\": \"MON\" is not a number; use 0-59")]
    [InlineData("0 0 * JANUARY *", "month field \"JANUARY\": unknown name \"JANUARY\"; use JAN..DEC or 1-12")]
    [InlineData("0 0 * * FUN", "unknown name \"FUN\"; use SUN..SAT or 0-7 (0 and 7 are Sunday)")]
    [InlineData("0 0 * * FRI-MON", "day-of-week field \"FRI-MON\": range \"FRI-MON\" starts after it ends (5 > 1); ranges do not wrap around; split it, e.g. \"5-6,0-1\"")]
    [InlineData("0 0 * * SAT-SUN", "use 7 for Sunday, e.g. \"6-7\"")]
    [InlineData("0 22-2 * * *", "hour field \"22-2\": range \"22-2\" starts after it ends (22 > 2); ranges do not wrap around; split it, e.g. \"22-23,0-2\"")]
    [InlineData("@sometimes", "unknown descriptor \"@sometimes\"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>")]
    [InlineData("@Daily", "unknown descriptor \"@Daily\"; descriptors are lower case: \"@daily\"")]
    [InlineData("@every1h", "write \"@every\", a space and a duration, e.g. \"@every 1h\"")]
    [InlineData("@daily 5", "\"@daily 5\": @daily takes nothing after it")]
    [InlineData("@every", "@every needs a duration, e.g. \"@every 1h30m\"")]
    [InlineData("@every 0s", "\"@every 0s\": the interval must be positive")]
    [InlineData("@every -5m", "the interval must be positive")]
    [InlineData("@every 2d", "unknown unit \"d\" in \"2d\"; use ns, us, ms, s, m or h (e.g. \"48h\")")]
    [InlineData("@every 90", "\"90\" has no unit; write it as \"90s\", \"90m\" or \"90h\"")]
    public void Rejects_bad_schedules_naming_the_field_and_the_fix(string expression, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.False(CronSchedule.TryParse(expression, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void TryParse_refuses_null()
    {
        Assert.False(CronSchedule.TryParse(null, out _, out var error));
        Assert.Contains("the schedule is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_the_text_as_written()
    {
        var schedule = CronSchedule.Parse(" 0 9 * * MON-FRI ");

        Assert.Equal(" 0 9 * * MON-FRI ", schedule.Text);
        Assert.Equal(schedule.Text, schedule.ToString());
    }

    [Fact]
    public void Successive_runs_follow_the_schedule()
    {
        var schedule = CronSchedule.Parse("0 9,17 * * MON-FRI");
        var runs = new List<DateTimeOffset>();
        var t = Time("2024-05-03T12:00:00Z");
        for (var i = 0; i < 5; i++)
        {
            t = schedule.Next(t)!.Value;
            runs.Add(t);
        }

        Assert.Equal(
            ["2024-05-03T17:00:00Z", "2024-05-06T09:00:00Z", "2024-05-06T17:00:00Z", "2024-05-07T09:00:00Z", "2024-05-07T17:00:00Z"],
            runs.Select(r => r.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Every_minute_through_a_fall_back_visits_each_instant_once()
    {
        var schedule = CronSchedule.Parse("* * * * *");
        var t = Time("2024-11-03T00:30:00-04:00");
        var end = Time("2024-11-03T02:30:00-05:00");
        var count = 0;
        while (true)
        {
            var next = schedule.Next(t, NewYork)!.Value;
            Assert.Equal(t.AddMinutes(1), next);
            if (next >= end)
            {
                break;
            }

            t = next;
            count++;
        }

        // 00:30 EDT to 02:30 EST is three hours.
        Assert.Equal(179, count);
    }

    [Fact]
    public void Agrees_with_the_system_zone_database_when_it_has_one()
    {
        TimeZoneInfo system;
        try
        {
            system = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        }
        catch (TimeZoneNotFoundException)
        {
            return;
        }

        foreach (var (expression, after) in new[]
        {
            ("30 2 * * *", "2024-03-09T03:00:00-05:00"),
            ("30 1 * * *", "2024-11-03T01:30:00-04:00"),
            ("30,50 1 * * *", "2024-11-03T01:40:00-04:00"),
            ("0 9 * * *", "2024-07-01T00:00:00Z"),
        })
        {
            var schedule = CronSchedule.Parse(expression);
            Assert.Equal(schedule.Next(Time(after), NewYork), schedule.Next(Time(after), system));
        }
    }

    [Fact]
    public void Skips_ahead_rather_than_walking_minute_by_minute()
    {
        var impossible = CronSchedule.Parse("0 0 30 2 *");
        var rare = CronSchedule.Parse("59 23 29 2 *");
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < 200; i++)
        {
            Assert.Null(impossible.Next(Time("2024-03-01T00:00:00Z"), NewYork));
            Assert.NotNull(rare.Next(Time("2024-03-01T00:00:00Z"), NewYork));
        }

        // Five years minute by minute would be 2.6 million steps per call.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"400 searches took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Stays_inside_the_calendar_at_its_ends()
    {
        var schedule = CronSchedule.Parse("* * * * *");

        Assert.Null(schedule.Next(DateTimeOffset.MaxValue));
        Assert.Null(schedule.Next(DateTimeOffset.MaxValue, NewYork));
        Assert.Equal(
            new DateTimeOffset(9999, 12, 31, 18, 59, 0, TimeSpan.FromHours(-5)),
            schedule.Next(new DateTimeOffset(9999, 12, 31, 23, 58, 0, TimeSpan.Zero), NewYork));
        Assert.Null(schedule.Next(new DateTimeOffset(9999, 12, 31, 23, 59, 0, TimeSpan.Zero), NewYork));
        Assert.Equal(new DateTimeOffset(1, 1, 1, 0, 1, 0, TimeSpan.Zero), schedule.Next(DateTimeOffset.MinValue));
        Assert.Null(CronSchedule.Parse("@every 1h").Next(DateTimeOffset.MaxValue));
    }

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
