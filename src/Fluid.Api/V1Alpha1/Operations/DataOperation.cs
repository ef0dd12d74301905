namespace Fluid.Api.V1Alpha1;

/// <summary>What every data operation's spec has: when it runs and what it follows.</summary>
public interface IOperationSpec
{
    /// <summary>The operation this one runs after.</summary>
    OperationRef? RunAfter { get; }

    /// <summary>Seconds after the operation ends before it is cleaned up.</summary>
    int? TtlSecondsAfterFinished { get; }
}

/// <summary>An operation that may run once, on a cron schedule, or on an event.</summary>
public interface IScheduledOperationSpec : IOperationSpec
{
    /// <summary>Once (default), Cron or OnEvent.</summary>
    string? Policy { get; }

    /// <summary>Cron schedule, when the policy is Cron.</summary>
    string? Schedule { get; }
}

/// <summary>A data operation: DataLoad, DataMigrate, DataBackup or DataProcess.</summary>
public interface IDataOperation
{
    /// <summary>The spec, seen through what operations share.</summary>
    IOperationSpec OperationSpec { get; }

    /// <summary>Observed state.</summary>
    OperationStatus? Status { get; }
}

/// <summary>The kinds of data operations, as named in runAfter.</summary>
public static class OperationKinds
{
    /// <summary>Kinds an operation may run after.</summary>
    public static readonly IReadOnlyList<string> All = ["DataLoad", "DataMigrate", "DataBackup", "DataProcess"];
}
