using System.Text.Json.Nodes;
using Fluid.Api.Defaulting;
using Fluid.Api.Serialization;
using Fluid.Api.Validation;
using Fluid.Embedded.Storage;

namespace Fluid.Embedded.Server;

/// <summary>What to do with fields the schema does not know (?fieldValidation=).</summary>
public enum FieldValidation
{
    /// <summary>Drop them silently.</summary>
    Ignore,

    /// <summary>Drop them and tell the client in Warning headers (the default).</summary>
    Warn,

    /// <summary>Refuse the request with 400.</summary>
    Strict,
}

/// <summary>
/// Admission of an object before it is stored: Fluid's kinds are read as their typed model
/// (unknown fields pruned, as a CRD's structural schema does), validated with Fluid.Api's
/// validator (422 Invalid with one cause per field) and defaulted as Fluid.Api defaults them;
/// other kinds get the metadata checks every Kubernetes object gets.
/// </summary>
public static class Admission
{
    /// <summary>The admitted object (possibly a new tree); throws <see cref="ApiException"/> when refused.</summary>
    public static JsonObject Admit(ResourceType type, JsonObject obj, FieldValidation validation, List<string> warnings)
    {
        var name = ObjectFields.Name(obj) ?? ObjectFields.Text(obj["metadata"] as JsonObject, "generateName") ?? "";
        if (type.Typed is null)
        {
            var errors = new FieldErrors();

            // Metadata has the same shape for every kind: string maps, string lists, owner references.
            foreach (var issue in ManifestReader.FromJson((JsonObject)obj.DeepClone(), "request", 1).Errors)
            {
                errors.Add(issue.Path, issue.Message);
            }

            var meta = obj["metadata"] as JsonObject;
            var objectName = ObjectFields.Text(meta, "name");
            if (string.IsNullOrEmpty(objectName))
            {
                if (string.IsNullOrEmpty(ObjectFields.Text(meta, "generateName")))
                {
                    errors.Required("metadata.name", "name or generateName is required");
                }
            }
            else if ((type.Kind == "Namespace" ? Names.Dns1123Label(objectName) : Names.Dns1123Subdomain(objectName)) is { } problem)
            {
                errors.Add("metadata.name", problem);
            }

            if (type.Group.Length == 0 && type.Kind == "Secret")
            {
                FoldStringData(obj, errors);
            }

            Refuse(type, name, errors);
            return obj;
        }

        var document = ManifestReader.FromJson((JsonObject)obj.DeepClone(), "request", 1);
        var unknown = document.Warnings.Select(w => w.ToString()).ToList();
        if (validation == FieldValidation.Strict && unknown.Count > 0)
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", unknown)}");
        }

        if (validation == FieldValidation.Warn)
        {
            warnings.AddRange(unknown);
        }

        var result = new FieldErrors();
        foreach (var issue in document.Errors)
        {
            result.Add(issue.Path, issue.Message);
        }

        if (document.Object is { } typed && document.IsTyped)
        {
            foreach (var issue in ObjectValidator.Validate(typed).Errors)
            {
                result.Add(issue.Path, issue.Message);
            }
        }

        Refuse(type, name, result);
        ObjectDefaults.Apply(document.Object!);
        return FluidJson.ToNode(document.Object!);
    }

    // stringData is write-only, as in kube-apiserver: its keys are written into data (base64), over data's own.
    private static void FoldStringData(JsonObject secret, FieldErrors errors)
    {
        if (secret["stringData"] is not { } node)
        {
            return;
        }

        if (node is not JsonObject strings)
        {
            errors.Add("stringData", "must be a map of strings");
            return;
        }

        var data = secret["data"] as JsonObject ?? new JsonObject();
        foreach (var (key, value) in strings)
        {
            if (value is not JsonValue text || !text.TryGetValue<string>(out var plain))
            {
                errors.Add($"stringData[{key}]", "must be a string");
                continue;
            }

            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(plain));
        }

        secret["data"] = data;
        secret.Remove("stringData");
    }

    private static void Refuse(ResourceType type, string name, FieldErrors errors)
    {
        if (errors.IsValid)
        {
            return;
        }

        var causes = new JsonArray();
        foreach (var error in errors.Errors)
        {
            var required = error.Message.StartsWith("required: ", StringComparison.Ordinal);
            causes.Add(new JsonObject
            {
                ["reason"] = required ? "FieldValueRequired" : "FieldValueInvalid",
                ["message"] = required ? "Required value: " + error.Message["required: ".Length..] : error.Message,
                ["field"] = error.Path,
            });
        }

        var details = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Kind, ["causes"] = causes };
        var summary = errors.Errors.Count == 1 ? errors.Errors[0].ToString() : "[" + string.Join(", ", errors.Errors) + "]";
        throw new ApiException(422, "Invalid", $"{type.QualifiedKind} \"{name}\" is invalid: {summary}", details);
    }
}
