using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using Fluid.Api.Core;

namespace Fluid.Api.Scheduling;

/// <summary>
/// A schedule in the syntax of a Kubernetes CronJob (robfig/cron's standard parser): five fields
/// "minute hour day-of-month month day-of-week" with <c>*</c>, <c>?</c>, lists, ranges, steps and
/// month and day names, or a descriptor such as <c>@daily</c> or <c>@every 1h30m</c>.
/// </summary>
/// <remarks>
/// Day matching follows robfig/cron: when the day-of-month or the day-of-week field is a star
/// (<c>*</c>, <c>?</c> or <c>*/1</c>, not a stepped <c>*/2</c>), a day must match both fields;
/// otherwise it runs on days matching either, like Vixie cron. Beyond robfig, 7 is accepted as
/// Sunday. Time zones belong in the CronJob's timeZone field, so <c>TZ=</c> prefixes are refused.
/// </remarks>
public sealed class CronSchedule
{
    private const int SearchYears = 5;

    private const string FieldList = "minute hour day-of-month month day-of-week";
    private const string DescriptorList = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>";

    private static readonly Field Minute = new("minute", 0, 59, 59, null, "");
    private static readonly Field Hour = new("hour", 0, 23, 23, null, "");
    private static readonly Field DayOfMonth = new("day-of-month", 1, 31, 31, null, "");
    private static readonly Field Month = new(
        "month", 1, 12, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], "");
    private static readonly Field DayOfWeek = new(
        "day-of-week", 0, 6, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], " (0 and 7 are Sunday)");

    // Each descriptor as the five fields it stands for.
    private static readonly Dictionary<string, string> Descriptors = new(StringComparer.Ordinal)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _daysOfMonth;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;
    private readonly bool _dayStar;
    private readonly TimeSpan? _every;

    private CronSchedule(string text, ulong[] fields, bool dayStar, TimeSpan? every)
    {
        Text = text;
        if (fields.Length == 5)
        {
            (_minutes, _hours, _daysOfMonth, _months, _daysOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        }

        _dayStar = dayStar;
        _every = every;
    }

    /// <summary>The schedule as it was written.</summary>
    public string Text { get; }

    /// <summary>Reads a schedule; throws <see cref="FormatException"/> with a message naming the field at fault and what to write.</summary>
    public static CronSchedule Parse(string text) =>
        TryParse(text, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Reads a schedule; on failure returns false and a message naming the field at fault and what to write.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        var spec = text?.Trim() ?? "";
        if (spec.Length == 0)
        {
            error = "the schedule is empty; write 5 fields such as \"0 * * * *\" or a descriptor such as @daily";
            return false;
        }

        if (spec.StartsWith("TZ=", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("CRON_TZ=", StringComparison.OrdinalIgnoreCase))
        {
            var parts = SplitFields(spec);
            var zone = parts[0][(parts[0].IndexOf('=', StringComparison.Ordinal) + 1)..];
            var example = zone.Length > 0 ? zone : "Europe/Paris";
            var remainder = string.Join(' ', parts.Skip(1));
            error = $"{Quote(spec)}: a time zone cannot be part of the schedule; set the CronJob's timeZone field instead "
                + $"(timeZone: {example}) and write the schedule without it{(remainder.Length > 0 ? $" ({Quote(remainder)})" : "")}";
            return false;
        }

        if (spec[0] == '@')
        {
            return TryParseDescriptor(spec, text!, out schedule, out error);
        }

        var fields = SplitFields(spec);
        if (fields.Length != 5)
        {
            error = $"expected 5 fields ({FieldList}), got {fields.Length}: {Quote(spec)}; "
                + (fields.Length == 6
                    ? "a seconds field is not supported, drop the first field"
                    : "or use @hourly, @daily, @weekly, @monthly, @yearly, @every 1h");
            return false;
        }

        return TryBuild(text!, fields, out schedule, out error);
    }

    /// <summary>
    /// The first run strictly after <paramref name="after"/>: a whole minute whose wall-clock time in
    /// <paramref name="zone"/> (UTC by default) matches, with that zone's offset; null when nothing
    /// matches within five years ("0 0 30 2 *"). A wall-clock time skipped by a daylight-saving change
    /// does not run that day; one repeated by it runs at both instants, as in Kubernetes.
    /// For <c>@every</c>, <paramref name="after"/> truncated to the second plus the interval.
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo? zone = null)
    {
        zone ??= TimeZoneInfo.Utc;
        var afterTicks = after.UtcTicks;
        if (_every is { } every)
        {
            var start = afterTicks - (afterTicks % TimeSpan.TicksPerSecond);
            if (start > DateTime.MaxValue.Ticks - every.Ticks)
            {
                return null;
            }

            return TimeZoneInfo.ConvertTime(new DateTimeOffset(start + every.Ticks, TimeSpan.Zero), zone);
        }

        var afterUtc = new DateTime(afterTicks, DateTimeKind.Utc);
        var offset = OffsetAt(zone, afterUtc);

        // A clock set back soon after `after` repeats wall-clock times that come before its own.
        var setBack = Max(TimeSpan.Zero, offset - OffsetAt(zone, AddClamped(afterUtc, TimeSpan.FromHours(3))));
        var wall = TruncateToMinute(AddClamped(afterUtc, offset - setBack));
        var lastYear = Math.Min(wall.Year + SearchYears, DateTime.MaxValue.Year);

        DateTime? best = null;
        var bestOffset = TimeSpan.Zero;
        var scanUntil = DateTime.MaxValue;
        while (NextMatch(wall, Math.Min(lastYear, scanUntil.Year)) is { } match && match <= scanUntil)
        {
            foreach (var candidateOffset in Offsets(zone, match))
            {
                var ticks = match.Ticks - candidateOffset.Ticks;
                if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                {
                    continue;
                }

                var instant = new DateTime(ticks, DateTimeKind.Utc);
                if (instant > afterUtc && (best is null || instant < best))
                {
                    if (best is null)
                    {
                        // Around a clock set back, a later wall-clock time may be an earlier instant.
                        var repeated = Max(TimeSpan.Zero, OffsetAt(zone, AddClamped(instant, TimeSpan.FromHours(-3))) - candidateOffset);
                        scanUntil = AddClamped(match, repeated);
                    }

                    best = instant;
                    bestOffset = candidateOffset;
                }
            }

            if (match == DateTime.MaxValue.Date.AddHours(23).AddMinutes(59))
            {
                break;
            }

            wall = match.AddMinutes(1);
        }

        return best is { } found ? new DateTimeOffset(DateTime.SpecifyKind(found + bestOffset, DateTimeKind.Unspecified), bestOffset) : null;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static bool TryParseDescriptor(string spec, string text, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        var end = 0;
        while (end < spec.Length && !char.IsWhiteSpace(spec[end]))
        {
            end++;
        }

        var name = spec[..end];
        var rest = spec[end..].Trim();
        if (name == "@every")
        {
            if (rest.Length == 0)
            {
                error = "@every needs a duration, e.g. \"@every 1h30m\"";
                return false;
            }

            if (!GoDuration.TryParse(rest, out var duration, out var durationError))
            {
                error = $"{Quote(spec)}: {durationError}";
                return false;
            }

            if (duration.Value <= TimeSpan.Zero)
            {
                error = $"{Quote(spec)}: the interval must be positive, e.g. \"@every 5m\"";
                return false;
            }

            // Like robfig/cron: whole seconds, at least one.
            var seconds = Math.Max(1, duration.Value.Ticks / TimeSpan.TicksPerSecond);
            schedule = new CronSchedule(text, [], false, TimeSpan.FromSeconds(seconds));
            error = null;
            return true;
        }

        if (!Descriptors.TryGetValue(name, out var fields))
        {
            if (name.StartsWith("@every", StringComparison.OrdinalIgnoreCase))
            {
                error = $"unknown descriptor {Quote(name)}; write \"@every\", a space and a duration, e.g. \"@every {(name.Length > 6 ? name[6..] : "1h")}\"";
            }
            else if (Descriptors.ContainsKey(name.ToLowerInvariant()) || name.Equals("@every", StringComparison.OrdinalIgnoreCase))
            {
                error = $"unknown descriptor {Quote(name)}; descriptors are lower case: {Quote(name.ToLowerInvariant())}";
            }
            else
            {
                error = $"unknown descriptor {Quote(name)}; use {DescriptorList}";
            }

            return false;
        }

        if (rest.Length > 0)
        {
            error = $"{Quote(spec)}: {name} takes nothing after it; write {Quote(name)} alone or 5 fields ({FieldList})";
            return false;
        }

        return TryBuild(text, SplitFields(fields), out schedule, out error);
    }

    private static bool TryBuild(string text, string[] fields, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        Field[] kinds = [Minute, Hour, DayOfMonth, Month, DayOfWeek];
        var bits = new ulong[5];
        var stars = new bool[5];
        for (var i = 0; i < 5; i++)
        {
            error = kinds[i].Parse(fields[i], out bits[i], out stars[i]);
            if (error is not null)
            {
                return false;
            }
        }

        schedule = new CronSchedule(text, bits, stars[2] || stars[4], null);
        error = null;
        return true;
    }

    private static string[] SplitFields(string spec) =>
        spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static string Quote(string text) => "\"" + text + "\"";

    // The first wall-clock minute at or after `from` that matches every field, within `lastYear`.
    private DateTime? NextMatch(DateTime from, int lastYear)
    {
        var (year, month, day, hour, minute) = (from.Year, from.Month, from.Day, from.Hour, from.Minute);
        while (year <= lastYear)
        {
            if (!Has(_months, month))
            {
                (month, day, hour, minute) = (NextBit(_months, month), 1, 0, 0);
                if (month > 12)
                {
                    (year, month) = (year + 1, 1);
                }

                continue;
            }

            if (day > DateTime.DaysInMonth(year, month))
            {
                (month, day, hour, minute) = (month + 1, 1, 0, 0);
                if (month > 12)
                {
                    (year, month) = (year + 1, 1);
                }

                continue;
            }

            if (!DayMatches(year, month, day))
            {
                (day, hour, minute) = (day + 1, 0, 0);
                continue;
            }

            if (!Has(_hours, hour))
            {
                (hour, minute) = (NextBit(_hours, hour), 0);
                if (hour > 23)
                {
                    (day, hour) = (day + 1, 0);
                    continue;
                }
            }

            minute = NextBit(_minutes, minute);
            if (minute > 59)
            {
                (hour, minute) = (hour + 1, 0);
                if (hour > 23)
                {
                    (day, hour) = (day + 1, 0);
                }

                continue;
            }

            return new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        }

        return null;
    }

    private bool DayMatches(int year, int month, int day)
    {
        var dayOfMonth = Has(_daysOfMonth, day);
        var dayOfWeek = Has(_daysOfWeek, (int)new DateTime(year, month, day).DayOfWeek);
        return _dayStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }

    private static bool Has(ulong bits, int value) => (bits >> value & 1) != 0;

    // The smallest set bit at or above `value`, or 64 when there is none.
    private static int NextBit(ulong bits, int value) =>
        value > 63 ? 64 : BitOperations.TrailingZeroCount(bits >> value << value);

    // The offsets a wall-clock time has in a zone: none in a gap, two (earlier instant first) when repeated.
    private static TimeSpan[] Offsets(TimeZoneInfo zone, DateTime wall)
    {
        if (zone.IsInvalidTime(wall))
        {
            return [];
        }

        if (zone.IsAmbiguousTime(wall))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(wall);
            Array.Sort(offsets);
            Array.Reverse(offsets);
            return offsets;
        }

        return [zone.GetUtcOffset(wall)];
    }

    private static TimeSpan OffsetAt(TimeZoneInfo zone, DateTime utc) => zone.GetUtcOffset(utc);

    private static DateTime TruncateToMinute(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);

    private static DateTime AddClamped(DateTime value, TimeSpan delta)
    {
        var ticks = value.Ticks + delta.Ticks;
        return new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), value.Kind);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // One of the five fields: its bounds, names and how to read it.
    private sealed class Field(string name, int min, int max, int highest, string[]? names, string rangeNote)
    {
        // Returns null and the set of values (and whether it is a plain star), or an error message.
        public string? Parse(string text, out ulong bits, out bool star)
        {
            bits = 0;
            star = false;
            foreach (var entry in text.Split(','))
            {
                var problem = ParseEntry(entry, ref bits, ref star);
                if (problem is not null)
                {
                    return $"{name} field {Quote(text)}: {problem}";
                }
            }

            return null;
        }

        private string? ParseEntry(string entry, ref ulong bits, ref bool star)
        {
            if (entry.Length == 0)
            {
                return "a list has an empty entry; separate values with single commas, e.g. \"1,15\"";
            }

            var slash = entry.Split('/');
            if (slash.Length > 2)
            {
                return $"{Quote(entry)} has more than one \"/\"; write a range and one step, e.g. \"0-30/5\"";
            }

            var step = 1;
            if (slash.Length == 2)
            {
                if (slash[1].Length == 0)
                {
                    return $"{Quote(entry)} needs a step after \"/\", e.g. \"{slash[0]}/5\"";
                }

                if (!slash[1].All(char.IsAsciiDigit))
                {
                    return $"step {Quote(slash[1])} is not a number";
                }

                if (!int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out step))
                {
                    step = int.MaxValue;
                }

                if (step < 1)
                {
                    return "a step must be at least 1";
                }
            }

            var range = slash[0];
            int low, high;
            if (range is "*" or "?")
            {
                (low, high) = (min, max);
                star |= step == 1;
            }
            else
            {
                var dash = range.Split('-');
                if (dash.Length > 2)
                {
                    return $"{Quote(range)} has more than one \"-\"; a range is written \"start-end\", e.g. \"1-5\"";
                }

                if (dash.Any(part => part.Length == 0))
                {
                    return range.Length == 0
                        ? $"{Quote(entry)} needs a value or \"*\" before \"/\", e.g. \"*/{slash[1]}\""
                        : $"{Quote(range)} is missing a number; a range is written \"start-end\", e.g. \"1-5\"";
                }

                if (dash.Length == 2 && dash[0] is "*" or "?")
                {
                    return $"{Quote(range)}: a range cannot start with {dash[0]}; write \"{min}-{dash[1]}\"";
                }

                var problem = ReadValue(dash[0], out low);
                if (problem is not null)
                {
                    return problem;
                }

                high = low;
                if (dash.Length == 2)
                {
                    problem = ReadValue(dash[1], out high);
                    if (problem is not null)
                    {
                        return problem;
                    }
                }
                else if (slash.Length == 2)
                {
                    // "a/n" runs from a to the end of the field.
                    high = max;
                }

                if (low > high)
                {
                    var hint = names is not null && highest > max && high == 0
                        ? $"ranges do not wrap around; use 7 for Sunday, e.g. \"{low}-7\""
                        : $"ranges do not wrap around; split it, e.g. \"{low}-{max},{min}-{high}\"";
                    return $"range {Quote(range)} starts after it ends ({low} > {high}); {hint}";
                }
            }

            for (long value = low; value <= high; value += step)
            {
                bits |= 1UL << (int)(value % (max + 1));
            }

            return null;
        }

        private string? ReadValue(string text, out int value)
        {
            if (text.All(char.IsAsciiDigit))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < min || value > highest)
                {
                    value = 0;
                    return $"{text} is out of range {min}-{highest}{rangeNote}";
                }

                return null;
            }

            if (names is not null)
            {
                var index = Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (index >= 0)
                {
                    value = index + min;
                    return null;
                }

                value = 0;
                return $"unknown name {Quote(text)}; use {names[0]}..{names[^1]} or {min}-{highest}{rangeNote}";
            }

            value = 0;
            return $"{Quote(text)} is not a number; use {min}-{highest}";
        }
    }
}
