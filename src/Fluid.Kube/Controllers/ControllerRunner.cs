namespace Fluid.Kube.Controllers;

/// <summary>
/// N workers pulling keys from a <see cref="WorkQueue{TKey}"/> and reconciling them: Done forgets the key's
/// backoff, Requeue brings it back after the backoff, RequeueAfter after a fixed time, an exception after the
/// backoff (and is reported).
/// </summary>
public sealed class ControllerRunner
{
    private readonly IReconciler _reconciler;
    private readonly Action<string, Exception>? _onError;

    /// <summary>Creates the runner.</summary>
    public ControllerRunner(string name, WorkQueue<string> queue, IReconciler reconciler, int workers = 2, Action<string, Exception>? onError = null)
    {
        if (workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, "a controller needs at least one worker");
        }

        Name = name;
        Queue = queue;
        Workers = workers;
        _reconciler = reconciler;
        _onError = onError;
    }

    /// <summary>Name of the controller (for messages).</summary>
    public string Name { get; }

    /// <summary>The queue the workers pull from.</summary>
    public WorkQueue<string> Queue { get; }

    /// <summary>How many keys are reconciled at once.</summary>
    public int Workers { get; }

    /// <summary>Runs the workers until cancelled; then shuts the queue down and waits for reconciles in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (await Queue.GetAsync(CancellationToken.None).ConfigureAwait(false) is { } item)
        {
            var key = item.Key;
            try
            {
                var result = await _reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
                if (!result.IsRequeue)
                {
                    Queue.Forget(key);
                }
                else if (result.After is { } after)
                {
                    Queue.Forget(key);
                    Queue.AddAfter(key, after);
                }
                else
                {
                    Queue.AddRateLimited(key);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: the key is reconciled again by whoever runs next.
            }
            catch (Exception e)
            {
                _onError?.Invoke(key, e);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }
}
