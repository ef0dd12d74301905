using System.Text.Json;
using System.Text.Json.Serialization;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Kube.Http;

/// <summary>metav1.Status: what the API server answers for errors, deletes and watch ERROR events.</summary>
public sealed class KubeStatus
{
    /// <summary>"v1".</summary>
    public string? ApiVersion { get; set; } = "v1";

    /// <summary>"Status".</summary>
    public string? Kind { get; set; } = "Status";

    /// <summary>List metadata (empty for errors).</summary>
    public ListMeta? Metadata { get; set; }

    /// <summary>"Success" or "Failure".</summary>
    public string? Status { get; set; }

    /// <summary>Human-readable description.</summary>
    public string? Message { get; set; }

    /// <summary>Machine-readable reason, e.g. NotFound, AlreadyExists, Conflict, Invalid.</summary>
    public string? Reason { get; set; }

    /// <summary>What the status is about, with field causes for Invalid.</summary>
    public StatusDetails? Details { get; set; }

    /// <summary>HTTP status code the status stands for.</summary>
    public int Code { get; set; }

    /// <summary>Parses a Status body; null when the text is not a Status object.</summary>
    public static KubeStatus? TryParse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            var status = JsonSerializer.Deserialize<KubeStatus>(body, FluidJson.Options);
            return status?.Kind == "Status" ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>metav1.StatusDetails.</summary>
public sealed class StatusDetails
{
    /// <summary>Name of the object concerned.</summary>
    public string? Name { get; set; }

    /// <summary>API group of the object concerned.</summary>
    public string? Group { get; set; }

    /// <summary>Resource (plural) or kind of the object concerned.</summary>
    public string? Kind { get; set; }

    /// <summary>Uid of the object concerned.</summary>
    public string? Uid { get; set; }

    /// <summary>Field-level causes (422 Invalid lists one per bad field).</summary>
    public List<StatusCause>? Causes { get; set; }

    /// <summary>Seconds the client should wait before retrying.</summary>
    public int? RetryAfterSeconds { get; set; }
}

/// <summary>metav1.StatusCause: one reason a request failed, usually one bad field.</summary>
public sealed class StatusCause
{
    /// <summary>Type of the cause, e.g. FieldValueInvalid, FieldValueRequired.</summary>
    [JsonPropertyName("reason")]
    public string? Type { get; set; }

    /// <summary>What is wrong.</summary>
    public string? Message { get; set; }

    /// <summary>Path of the field, e.g. spec.mounts[0].mountPoint.</summary>
    public string? Field { get; set; }
}
