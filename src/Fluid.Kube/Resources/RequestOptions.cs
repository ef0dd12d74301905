using System.Globalization;
using System.Text;

namespace Fluid.Kube.Resources;

/// <summary>Options of a list call.</summary>
public sealed class ListOptions
{
    /// <summary>Label selector, e.g. "app=fluid,tier in (mem,ssd)".</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector, e.g. "metadata.name=demo,status.phase!=Bound".</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Most items in one page; the server then returns metadata.continue.</summary>
    public int? Limit { get; init; }

    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>List at (or not older than) this resourceVersion; "0" lets the server answer from its cache.</summary>
    public string? ResourceVersion { get; init; }

    internal string Query()
    {
        if (Limit is <= 0)
        {
            throw new ArgumentException($"limit {Limit} must be positive", nameof(Limit));
        }

        return new QueryBuilder()
            .Add("labelSelector", LabelSelector)
            .Add("fieldSelector", FieldSelector)
            .Add("limit", Limit?.ToString(CultureInfo.InvariantCulture))
            .Add("continue", Continue)
            .Add("resourceVersion", ResourceVersion)
            .ToString();
    }
}

/// <summary>Options of a watch call.</summary>
public sealed class WatchOptions
{
    /// <summary>Watch changes after this resourceVersion (usually the list's); null starts with the current state.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>Label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Ask for BOOKMARK events that carry the latest resourceVersion.</summary>
    public bool AllowBookmarks { get; init; } = true;

    /// <summary>The server ends the watch after this many seconds.</summary>
    public int? TimeoutSeconds { get; init; }

    internal string Query() => new QueryBuilder()
        .Add("watch", "true")
        .Add("resourceVersion", ResourceVersion)
        .Add("labelSelector", LabelSelector)
        .Add("fieldSelector", FieldSelector)
        .Add("allowWatchBookmarks", AllowBookmarks ? "true" : null)
        .Add("timeoutSeconds", TimeoutSeconds?.ToString(CultureInfo.InvariantCulture))
        .ToString();
}

/// <summary>How dependents of a deleted object are treated.</summary>
public enum PropagationPolicy
{
    /// <summary>Dependents are deleted in the background after the owner.</summary>
    Background,

    /// <summary>The owner stays (with a foregroundDeletion finalizer) until its dependents are gone.</summary>
    Foreground,

    /// <summary>Dependents are left, without the owner reference.</summary>
    Orphan,
}

/// <summary>Options of a delete call.</summary>
public sealed class DeleteOptions
{
    /// <summary>What happens to dependents.</summary>
    public PropagationPolicy? PropagationPolicy { get; init; }

    /// <summary>Seconds to terminate gracefully; 0 deletes at once.</summary>
    public long? GracePeriodSeconds { get; init; }

    /// <summary>Delete only if the object still has this uid.</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Delete only if the object still has this resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }

    internal string Body()
    {
        var body = new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "DeleteOptions" };
        if (PropagationPolicy is { } policy)
        {
            body["propagationPolicy"] = policy.ToString();
        }

        if (GracePeriodSeconds is { } grace)
        {
            if (grace < 0)
            {
                throw new ArgumentException($"gracePeriodSeconds {grace} must not be negative", nameof(GracePeriodSeconds));
            }

            body["gracePeriodSeconds"] = grace;
        }

        if (PreconditionUid is not null || PreconditionResourceVersion is not null)
        {
            var pre = new System.Text.Json.Nodes.JsonObject();
            if (PreconditionUid is not null)
            {
                pre["uid"] = PreconditionUid;
            }

            if (PreconditionResourceVersion is not null)
            {
                pre["resourceVersion"] = PreconditionResourceVersion;
            }

            body["preconditions"] = pre;
        }

        return body.ToJsonString();
    }
}

/// <summary>The patch formats the API server accepts.</summary>
public enum PatchType
{
    /// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
    Merge,

    /// <summary>RFC 6902 JSON patch, a list of operations (application/json-patch+json).</summary>
    Json,

    /// <summary>Kubernetes strategic merge patch; built-in kinds only (application/strategic-merge-patch+json).</summary>
    StrategicMerge,

    /// <summary>Server-side apply (application/apply-patch+yaml); needs a field manager.</summary>
    Apply,
}

/// <summary>Options of a patch call.</summary>
public sealed class PatchOptions
{
    /// <summary>Who owns the fields this patch sets; required for server-side apply.</summary>
    public string? FieldManager { get; init; }

    /// <summary>Server-side apply: take fields owned by other managers instead of failing with a conflict.</summary>
    public bool Force { get; init; }

    internal static string ContentType(PatchType type) => type switch
    {
        PatchType.Merge => "application/merge-patch+json",
        PatchType.Json => "application/json-patch+json",
        PatchType.StrategicMerge => "application/strategic-merge-patch+json",
        PatchType.Apply => "application/apply-patch+yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown patch type"),
    };
}

/// <summary>Builds an escaped query string.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _text = new();

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public override string ToString() => _text.ToString();
}

/// <summary>Options of a pod log read (GET pods/NAME/log).</summary>
public sealed class PodLogOptions
{
    /// <summary>The container; may be left out when the pod has exactly one.</summary>
    public string? Container { get; init; }

    /// <summary>Keep the stream open and send what the container writes until it exits.</summary>
    public bool Follow { get; init; }

    /// <summary>The last this-many lines only.</summary>
    public long? TailLines { get; init; }

    /// <summary>The log of the container's previous instance (before its last restart).</summary>
    public bool Previous { get; init; }

    /// <summary>Prefix every line with the time it was written (RFC 3339).</summary>
    public bool Timestamps { get; init; }

    /// <summary>Stop after this many bytes.</summary>
    public long? LimitBytes { get; init; }

    /// <summary>Only what was written in the last this-many seconds.</summary>
    public long? SinceSeconds { get; init; }

    internal string Query()
    {
        if (TailLines is < 0)
        {
            throw new ArgumentException($"tailLines {TailLines} must not be negative", nameof(TailLines));
        }

        if (LimitBytes is <= 0 || SinceSeconds is <= 0)
        {
            throw new ArgumentException("limitBytes and sinceSeconds must be positive when set");
        }

        return new QueryBuilder()
            .Add("container", Container)
            .Add("follow", Follow ? "true" : null)
            .Add("tailLines", TailLines?.ToString(CultureInfo.InvariantCulture))
            .Add("previous", Previous ? "true" : null)
            .Add("timestamps", Timestamps ? "true" : null)
            .Add("limitBytes", LimitBytes?.ToString(CultureInfo.InvariantCulture))
            .Add("sinceSeconds", SinceSeconds?.ToString(CultureInfo.InvariantCulture))
            .ToString();
    }
}
