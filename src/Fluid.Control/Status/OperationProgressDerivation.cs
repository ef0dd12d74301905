using Fluid.Api.Core;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Protocol;
using Fluid.Control.Naming;

namespace Fluid.Control.Status;

/// <summary>A data operation's status.progress from what its loader reported: percentage, rate and the time left.</summary>
public static class OperationProgressDerivation
{
    // An estimate further out than this says nothing useful (the rate is near zero); it is left out.
    private static readonly TimeSpan LongestEta = TimeSpan.FromDays(100);

    // A loader reports every second; one not heard from for this long is not loading (its pod died, say), whatever rate it last gave.
    private static readonly TimeSpan Silent = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The progress as status shows it. <paramref name="complete"/> is the operation's outcome (its Job
    /// completed): then everything counted is loaded, the percentage is 100% and the time left 0s.
    /// Until then the percentage stops at 99.9%, so rounding never shows a load as done before it is.
    /// Given <paramref name="now"/>, a report the master received over 30 s earlier shows no rate and no
    /// time left: the loader has stopped reporting, so it is not loading at that rate.
    /// </summary>
    public static OperationProgress From(LoadProgress report, bool complete = false, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        complete |= report.Done;
        if (!complete && now is { } at && report.ReceivedAt is { } received && at - received > Silent)
        {
            report = report with { BytesPerSecond = 0 };
        }

        var loadedBytes = complete ? report.TotalBytes : Math.Min(report.LoadedBytes, report.TotalBytes);
        var loadedFiles = complete ? report.TotalFiles : Math.Min(report.LoadedFiles, report.TotalFiles);
        return new OperationProgress
        {
            TotalBytes = report.TotalBytes,
            LoadedBytes = loadedBytes,
            TotalFiles = report.TotalFiles,
            LoadedFiles = loadedFiles,
            BytesPerSecond = report.BytesPerSecond,
            Eta = complete ? "0s" : Eta(report.TotalBytes - loadedBytes, report.BytesPerSecond),
            Percentage = complete ? ByteUnits.Percent(1) : ByteUnits.Percent(report.TotalBytes == 0 ? 0 : Math.Min(0.999, (double)loadedBytes / report.TotalBytes)),
        };
    }

    /// <summary>The progress of an operation that completed: everything counted loaded, 100%, nothing left; the rate as last reported (the loader's final report gives the whole run's average).</summary>
    public static OperationProgress Completed(OperationProgress last)
    {
        ArgumentNullException.ThrowIfNull(last);
        return new OperationProgress
        {
            TotalBytes = last.TotalBytes,
            LoadedBytes = last.TotalBytes,
            TotalFiles = last.TotalFiles,
            LoadedFiles = last.TotalFiles,
            BytesPerSecond = last.BytesPerSecond,
            Eta = "0s",
            Percentage = ByteUnits.Percent(1),
        };
    }

    /// <summary>The progress as one line for people, e.g. "42.5% (1.27GiB of 3.00GiB, 400/1200 files) at 100.00MiB/s, 20s left".</summary>
    public static string Describe(OperationProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var rate = progress.BytesPerSecond > 0 ? $" at {ByteUnits.Status(progress.BytesPerSecond)}/s" : "";
        var left = progress.Eta is { } eta && progress.LoadedBytes < progress.TotalBytes ? $", {eta} left" : "";
        return $"{progress.Percentage} ({ByteUnits.Status(progress.LoadedBytes)} of {ByteUnits.Status(progress.TotalBytes)}, {progress.LoadedFiles}/{progress.TotalFiles} files){rate}{left}";
    }

    private static string? Eta(long remainingBytes, long bytesPerSecond)
    {
        if (bytesPerSecond <= 0)
        {
            return null;
        }

        var seconds = Math.Ceiling((double)remainingBytes / bytesPerSecond);
        return seconds > LongestEta.TotalSeconds ? null : GoDuration.FromTimeSpan(TimeSpan.FromSeconds(seconds)).Text;
    }
}
