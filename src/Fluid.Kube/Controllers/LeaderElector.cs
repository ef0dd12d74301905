using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Api.Validation;
using Fluid.Kube.Http;

namespace Fluid.Kube.Controllers;

/// <summary>Timing and identity of a leader election.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>Name of the coordination.k8s.io/v1 Lease.</summary>
    public required string LeaseName { get; init; }

    /// <summary>Namespace of the Lease; null is the client's default.</summary>
    public string? Namespace { get; init; }

    /// <summary>Who we are (pod name, host name); unique among candidates.</summary>
    public required string Identity { get; init; }

    /// <summary>How long others wait, after they last saw the lease renewed, before taking it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives up leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to acquire and the leader renews.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give the lease up when stopped, so another candidate need not wait for it to expire.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    internal void Validate()
    {
        if (Names.Dns1123Subdomain(LeaseName) is { } problem)
        {
            throw new ArgumentException($"lease name {problem}", nameof(LeaseName));
        }

        if (string.IsNullOrWhiteSpace(Identity))
        {
            throw new ArgumentException("a leader election needs an identity (e.g. the pod name)", nameof(Identity));
        }

        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException($"leaseDuration {LeaseDuration} must be longer than renewDeadline {RenewDeadline}", nameof(LeaseDuration));
        }

        if (RenewDeadline <= RetryPeriod * 1.2)
        {
            throw new ArgumentException($"renewDeadline {RenewDeadline} must be longer than 1.2 × retryPeriod {RetryPeriod}", nameof(RenewDeadline));
        }
    }
}

/// <summary>
/// Leader election over a Lease, as client-go does it: a candidate takes the lease when it is free or has not
/// been renewed for a lease duration (measured on our own clock from when we saw it change), the leader
/// renews it every retry period, and every write carries the lease's resourceVersion so two candidates can
/// never both win. The leader's work runs with a token cancelled the moment leadership is lost.
/// </summary>
public sealed class LeaderElector
{
    private readonly KubeClient _client;
    private readonly LeaderElectionOptions _options;
    private readonly Func<CancellationToken, Task> _onStartedLeading;
    private readonly Action? _onStoppedLeading;
    private readonly Action<string>? _onNewLeader;
    private string? _observedRecord;
    private DateTime _observedAt;
    private string? _lastLeader;

    /// <summary>Creates the elector; nothing happens until <see cref="RunAsync"/>.</summary>
    public LeaderElector(
        KubeClient client,
        LeaderElectionOptions options,
        Func<CancellationToken, Task> onStartedLeading,
        Action? onStoppedLeading = null,
        Action<string>? onNewLeader = null)
    {
        options.Validate();
        _client = client;
        _options = options;
        _onStartedLeading = onStartedLeading;
        _onStoppedLeading = onStoppedLeading;
        _onNewLeader = onNewLeader;
    }

    /// <summary>True while we hold the lease.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Holder of the lease as last seen.</summary>
    public string? Leader => _lastLeader;

    /// <summary>Told about failed attempts (the API server unreachable, a conflict); never given a token.</summary>
    public Action<Exception>? OnError { get; init; }

    /// <summary>
    /// Campaigns until the lease is ours, leads until it is lost or <paramref name="cancellationToken"/> is
    /// cancelled, then returns (releasing the lease when cancelled). Run it again to campaign again.
    /// Cancelled before it ever led, it throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(Jitter(_options.RetryPeriod), cancellationToken).ConfigureAwait(false);
        }

        IsLeader = true;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => _onStartedLeading(leading.Token), CancellationToken.None);
        try
        {
            await RenewLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            IsLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                OnError?.Invoke(e);
            }

            if (cancellationToken.IsCancellationRequested && _options.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            _onStoppedLeading?.Invoke();
        }
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var lastRenew = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RetryPeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            bool renewed;
            try
            {
                renewed = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped mid-renewal: step down and release like any other stop.
                return;
            }

            if (renewed)
            {
                lastRenew = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastRenew >= _options.RenewDeadline || (_lastLeader is not null && _lastLeader != _options.Identity))
            {
                // Past the deadline, or someone else holds the lease: stop before the others start.
                return;
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var leases = _client.Resource("coordination.k8s.io/v1", "Lease");
        var now = DateTime.UtcNow;
        JsonObject? lease;
        try
        {
            lease = await leases.TryGetAsync(_options.LeaseName, _options.Namespace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            OnError?.Invoke(e);
            return false;
        }

        if (lease is null)
        {
            var created = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = _options.LeaseName },
                ["spec"] = Spec(now, now, 0),
            };
            return await WriteAsync(() => leases.CreateAsync(created, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var spec = lease["spec"] as JsonObject ?? [];
        var holder = (string?)spec["holderIdentity"];
        var record = spec.ToJsonString();
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = now;
        }

        SeeLeader(holder);
        var duration = TimeSpan.FromSeconds((int?)spec["leaseDurationSeconds"] ?? (int)_options.LeaseDuration.TotalSeconds);
        var ours = holder == _options.Identity;
        if (!ours && !string.IsNullOrEmpty(holder) && _observedAt + duration > now)
        {
            return false;
        }

        var transitions = (int?)spec["leaseTransitions"] ?? 0;
        var acquired = ours && spec["acquireTime"] is JsonValue a ? DateTime.Parse((string)a!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) : now;
        lease["spec"] = Spec(acquired, now, ours ? transitions : transitions + 1);
        return await WriteAsync(() => leases.ReplaceAsync(lease, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> WriteAsync(Func<Task<JsonObject>> write, CancellationToken cancellationToken)
    {
        try
        {
            var written = await write().ConfigureAwait(false);
            _observedRecord = (written["spec"] as JsonObject)?.ToJsonString();
            _observedAt = DateTime.UtcNow;
            SeeLeader(_options.Identity);
            return true;
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            // A Conflict or AlreadyExists means another candidate wrote first: it won this round.
            OnError?.Invoke(e);
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        var leases = _client.Resource("coordination.k8s.io/v1", "Lease");
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            var lease = await leases.GetAsync(_options.LeaseName, _options.Namespace, timeout.Token).ConfigureAwait(false);
            if ((string?)lease["spec"]?["holderIdentity"] != _options.Identity)
            {
                return;
            }

            var now = DateTime.UtcNow;
            var spec = (JsonObject)lease["spec"]!;
            spec["holderIdentity"] = "";
            spec["leaseDurationSeconds"] = 1;
            spec["renewTime"] = MicroTime(now);
            spec["acquireTime"] = MicroTime(now);
            await leases.ReplaceAsync(lease, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or OperationCanceledException or InvalidDataException)
        {
            // The lease then expires on its own after a lease duration.
            OnError?.Invoke(e);
        }
    }

    private JsonObject Spec(DateTime acquired, DateTime renewed, int transitions) => new()
    {
        ["holderIdentity"] = _options.Identity,
        ["leaseDurationSeconds"] = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
        ["acquireTime"] = MicroTime(acquired),
        ["renewTime"] = MicroTime(renewed),
        ["leaseTransitions"] = transitions,
    };

    private void SeeLeader(string? holder)
    {
        if (!string.IsNullOrEmpty(holder) && holder != _lastLeader)
        {
            _lastLeader = holder;
            _onNewLeader?.Invoke(holder);
        }
    }

    // metav1.MicroTime: RFC 3339 with microseconds.
    private static string MicroTime(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static TimeSpan Jitter(TimeSpan period) => period * (1 + (Random.Shared.NextDouble() * 0.2));
}
