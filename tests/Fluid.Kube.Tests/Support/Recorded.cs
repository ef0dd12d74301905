using System.Text.Json.Nodes;

namespace Fluid.Kube.Tests.Support;

/// <summary>Bodies in the exact shape kube-apiserver sends them (recorded from a 1.30 server, names changed).</summary>
public static class Recorded
{
    public const string DatasetNotFound =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"datasets.data.fluid.io \"demo\" not found","reason":"NotFound","details":{"name":"demo","group":"data.fluid.io","kind":"datasets"},"code":404}""";

    public const string DatasetAlreadyExists =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"datasets.data.fluid.io \"demo\" already exists","reason":"AlreadyExists","details":{"name":"demo","group":"data.fluid.io","kind":"datasets"},"code":409}""";

    public const string DatasetConflict =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on datasets.data.fluid.io \"demo\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"demo","group":"data.fluid.io","kind":"datasets"},"code":409}""";

    public const string DatasetInvalid =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Dataset.data.fluid.io \"demo\" is invalid: [spec.mounts[0].mountPoint: Invalid value: \"ftp://x\": spec.mounts[0].mountPoint in body should match '^(local|pvc|http|https|s3|oss|nfs|hdfs|dataset)://', spec.placement: Unsupported value: \"Many\": supported values: \"Exclusive\", \"Shared\"]","reason":"Invalid","details":{"name":"demo","group":"data.fluid.io","kind":"Dataset","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"ftp://x\": spec.mounts[0].mountPoint in body should match '^(local|pvc|http|https|s3|oss|nfs|hdfs|dataset)://'","field":"spec.mounts[0].mountPoint"},{"reason":"FieldValueNotSupported","message":"Unsupported value: \"Many\": supported values: \"Exclusive\", \"Shared\"","field":"spec.placement"}]},"code":422}""";

    public const string Forbidden =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"datasets.data.fluid.io is forbidden: User \"system:serviceaccount:default:app\" cannot list resource \"datasets\" in API group \"data.fluid.io\" in the namespace \"default\"","reason":"Forbidden","details":{"group":"data.fluid.io","kind":"datasets"},"code":403}""";

    public const string Unauthorized =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    public const string TooManyRequests =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}""";

    public const string ServiceUnavailable =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server is currently unable to handle the request","reason":"ServiceUnavailable","code":503}""";

    public const string ProxyBadGateway =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    public const string DeletedStatus =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"demo","group":"data.fluid.io","kind":"datasets","uid":"6f1c3a52-0c53-4f5e-a4a0-3f8a9d1d2e11"}}""";

    public const string WatchExpired =
        """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1000 (1520)","reason":"Expired","code":410}}""";

    public static string Dataset(string name, string resourceVersion, string? phase = null, string ns = "default", string? deletionTimestamp = null, string? finalizer = null)
    {
        var meta = new JsonObject { ["creationTimestamp"] = "2024-05-01T10:00:00Z" };
        if (deletionTimestamp is not null)
        {
            meta["deletionTimestamp"] = deletionTimestamp;
        }

        if (finalizer is not null)
        {
            meta["finalizers"] = new JsonArray(finalizer);
        }

        meta["generation"] = 1;
        meta["name"] = name;
        meta["namespace"] = ns;
        meta["resourceVersion"] = resourceVersion;
        meta["uid"] = "uid-" + name;
        var obj = new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "Dataset",
            ["metadata"] = meta,
            ["spec"] = JsonNode.Parse("""{"mounts":[{"mountPoint":"https://mirrors.example.com/data/","name":"data"}]}"""),
        };
        if (phase is not null)
        {
            obj["status"] = new JsonObject { ["phase"] = phase };
        }

        return obj.ToJsonString();
    }

    public static string DatasetList(string resourceVersion, string? continueToken, params string[] items)
    {
        var meta = new JsonObject();
        if (continueToken is not null)
        {
            meta["continue"] = continueToken;
            meta["remainingItemCount"] = 1;
        }

        meta["resourceVersion"] = resourceVersion;
        var list = new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["items"] = new JsonArray([.. items.Select(i => JsonNode.Parse(i))]),
            ["kind"] = "DatasetList",
            ["metadata"] = meta,
        };
        return list.ToJsonString();
    }

    public static string Event(string type, string obj) => $$"""{"type":"{{type}}","object":{{obj}}}""";

    public static string Bookmark(string resourceVersion) =>
        """{"type":"BOOKMARK","object":{"kind":"Dataset","apiVersion":"data.fluid.io/v1alpha1","metadata":{"resourceVersion":"RV","creationTimestamp":null},"spec":{}}}""".Replace("RV", resourceVersion, StringComparison.Ordinal);
}
