namespace Fluid.Kube.Controllers;

/// <summary>What a reconcile asks for next.</summary>
public readonly record struct ReconcileResult
{
    private ReconcileResult(bool requeue, TimeSpan? after)
    {
        IsRequeue = requeue;
        After = after;
    }

    /// <summary>The object is where it should be; wait for the next change.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Not there yet: reconcile again after the key's backoff.</summary>
    public static ReconcileResult Requeue => new(true, null);

    /// <summary>Reconcile again after a fixed time (polling something outside the API), with the backoff reset.</summary>
    public static ReconcileResult RequeueAfter(TimeSpan after) =>
        after < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(after), after, "a requeue delay cannot be negative") : new(true, after);

    /// <summary>True when the key should come back.</summary>
    public bool IsRequeue { get; }

    /// <summary>The fixed delay of <see cref="RequeueAfter"/>, or null.</summary>
    public TimeSpan? After { get; }

    /// <inheritdoc/>
    public override string ToString() => !IsRequeue ? "Done" : After is { } a ? $"RequeueAfter({a})" : "Requeue";
}

/// <summary>Brings the world in line with one object, named by its key ("namespace/name").</summary>
public interface IReconciler
{
    /// <summary>Reconciles the object; throwing requeues it with backoff.</summary>
    Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken);
}
