using System.Net;

namespace Fluid.Kube.Http;

/// <summary>Why the API server refused a request, from the Status reason or else the HTTP code.</summary>
public enum KubeErrorReason
{
    /// <summary>Not one of the reasons below.</summary>
    Unknown,

    /// <summary>400: the request was malformed.</summary>
    BadRequest,

    /// <summary>401: no or bad credentials.</summary>
    Unauthorized,

    /// <summary>403: the credentials may not do this.</summary>
    Forbidden,

    /// <summary>404: the object (or the resource type) does not exist.</summary>
    NotFound,

    /// <summary>405: the verb is not supported on the resource.</summary>
    MethodNotAllowed,

    /// <summary>409 on create: an object of that name exists.</summary>
    AlreadyExists,

    /// <summary>409 on update: the object changed since it was read (resourceVersion mismatch).</summary>
    Conflict,

    /// <summary>410: the resourceVersion or continue token is too old; list again.</summary>
    Gone,

    /// <summary>415: the content type (patch type) is not supported.</summary>
    UnsupportedMediaType,

    /// <summary>422: the object is invalid; see the field causes.</summary>
    Invalid,

    /// <summary>429: the server is overloaded; retry later.</summary>
    TooManyRequests,

    /// <summary>504 or reason Timeout: the server could not finish in time.</summary>
    Timeout,

    /// <summary>5xx.</summary>
    ServerError,
}

/// <summary>An error answer of the API server, with the parsed Status when the body was one.</summary>
public sealed class KubeApiException : Exception
{
    /// <summary>Creates the error from the request and the response.</summary>
    public KubeApiException(string method, string path, HttpStatusCode statusCode, KubeStatus? status, string? body)
        : base(Describe(method, path, statusCode, status, body))
    {
        Method = method;
        Path = path;
        StatusCode = statusCode;
        Status = status;
        Reason = Classify((int)statusCode, status?.Reason);
    }

    /// <summary>HTTP method of the failed request.</summary>
    public string Method { get; }

    /// <summary>Path of the failed request (without the query).</summary>
    public string Path { get; }

    /// <summary>HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Why it failed.</summary>
    public KubeErrorReason Reason { get; }

    /// <summary>The Status the server sent, when it sent one.</summary>
    public KubeStatus? Status { get; }

    /// <summary>The server's own message, or null.</summary>
    public string? ApiMessage => Status?.Message;

    /// <summary>Field causes (for Invalid, one per bad field).</summary>
    public IReadOnlyList<StatusCause> Causes => Status?.Details?.Causes ?? [];

    /// <summary>404.</summary>
    public bool IsNotFound => Reason == KubeErrorReason.NotFound;

    /// <summary>409 on create.</summary>
    public bool IsAlreadyExists => Reason == KubeErrorReason.AlreadyExists;

    /// <summary>409 on update.</summary>
    public bool IsConflict => Reason == KubeErrorReason.Conflict;

    /// <summary>410.</summary>
    public bool IsGone => Reason == KubeErrorReason.Gone;

    /// <summary>422.</summary>
    public bool IsInvalid => Reason == KubeErrorReason.Invalid;

    /// <summary>The reason a Status reason string (or failing that, an HTTP code) stands for.</summary>
    public static KubeErrorReason Classify(int code, string? reason) => reason switch
    {
        "NotFound" => KubeErrorReason.NotFound,
        "AlreadyExists" => KubeErrorReason.AlreadyExists,
        "Conflict" => KubeErrorReason.Conflict,
        "Invalid" => KubeErrorReason.Invalid,
        "Forbidden" => KubeErrorReason.Forbidden,
        "Unauthorized" => KubeErrorReason.Unauthorized,
        "Gone" or "Expired" => KubeErrorReason.Gone,
        "TooManyRequests" => KubeErrorReason.TooManyRequests,
        "BadRequest" => KubeErrorReason.BadRequest,
        "MethodNotAllowed" => KubeErrorReason.MethodNotAllowed,
        "UnsupportedMediaType" => KubeErrorReason.UnsupportedMediaType,
        "Timeout" or "ServerTimeout" => KubeErrorReason.Timeout,
        "InternalError" or "ServiceUnavailable" => KubeErrorReason.ServerError,
        _ => code switch
        {
            400 => KubeErrorReason.BadRequest,
            401 => KubeErrorReason.Unauthorized,
            403 => KubeErrorReason.Forbidden,
            404 => KubeErrorReason.NotFound,
            405 => KubeErrorReason.MethodNotAllowed,
            409 => KubeErrorReason.Conflict,
            410 => KubeErrorReason.Gone,
            415 => KubeErrorReason.UnsupportedMediaType,
            422 => KubeErrorReason.Invalid,
            429 => KubeErrorReason.TooManyRequests,
            504 => KubeErrorReason.Timeout,
            >= 500 => KubeErrorReason.ServerError,
            _ => KubeErrorReason.Unknown,
        },
    };

    private static string Describe(string method, string path, HttpStatusCode code, KubeStatus? status, string? body)
    {
        var head = $"{method} {path}: {(int)code} {code}";
        if (status is null)
        {
            // A proxy or load balancer answered, not the API server: show the start of what it said.
            var text = string.IsNullOrWhiteSpace(body) ? "(empty body)" : body.Trim();
            return $"{head}: {(text.Length > 200 ? text[..200] + "..." : text)}";
        }

        var message = $"{head}: {status.Message ?? status.Reason}";
        var causes = status.Details?.Causes;
        if (causes is { Count: > 0 } && (status.Message is null || !causes.All(c => status.Message.Contains(c.Message ?? "", StringComparison.Ordinal))))
        {
            message += "; " + string.Join("; ", causes.Select(c => c.Field is null ? c.Message : $"{c.Field}: {c.Message}"));
        }

        return message;
    }
}
