using System.Text.Json.Nodes;

namespace Fluid.Embedded;

/// <summary>
/// A request failed in a way the client must hear about; becomes a Kubernetes Status object
/// (kind Status, status Failure) with this HTTP code and reason.
/// </summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    /// <summary>HTTP status code, e.g. 404.</summary>
    public int Code { get; } = code;

    /// <summary>Machine-readable reason, e.g. "NotFound", "Conflict", "Invalid".</summary>
    public string Reason { get; } = reason;

    /// <summary>details of the Status (name, group, kind, causes), if any.</summary>
    public JsonObject? Details { get; } = details;

    /// <summary>The Status object of this failure.</summary>
    public JsonObject ToStatus() => KubeStatus.Failure(Code, Reason, Message, Details?.DeepClone().AsObject());

    /// <summary>404: the named object does not exist.</summary>
    public static ApiException NotFound(string resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found", KubeStatus.Details(resource, name));

    /// <summary>409 AlreadyExists: create of a name that is taken.</summary>
    public static ApiException AlreadyExists(string resource, string name) =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists", KubeStatus.Details(resource, name));

    /// <summary>409 Conflict: a write carried a stale resourceVersion or failed a precondition.</summary>
    public static ApiException Conflict(string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {why}", KubeStatus.Details(resource, name));

    /// <summary>410 Gone: the requested resourceVersion has been compacted away.</summary>
    public static ApiException Gone(string message) => new(410, "Expired", message);

    /// <summary>400 BadRequest: the request itself is malformed.</summary>
    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);
}

/// <summary>Builds Kubernetes Status objects (meta/v1 Status).</summary>
public static class KubeStatus
{
    /// <summary>A failure Status.</summary>
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    /// <summary>A success Status (deletecollection, deleted objects of some kinds).</summary>
    public static JsonObject Success(JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return status;
    }

    /// <summary>details {name, group, kind} from a "plural.group" resource and a name.</summary>
    public static JsonObject Details(string resource, string name)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        var details = new JsonObject { ["name"] = name };
        if (dot > 0)
        {
            details["group"] = resource[(dot + 1)..];
        }

        details["kind"] = dot > 0 ? resource[..dot] : resource;
        return details;
    }
}
