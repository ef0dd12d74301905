using Fluid.Api.Serialization;

namespace Fluid.Api.Validation;

/// <summary>Collects every problem of an object, each with its field path, so all are reported at once.</summary>
public sealed class FieldErrors
{
    private readonly List<FieldIssue> _errors = [];
    private readonly List<FieldIssue> _warnings = [];

    /// <summary>Problems that make the object invalid, in the order found.</summary>
    public IReadOnlyList<FieldIssue> Errors => _errors;

    /// <summary>Problems worth a word that do not make the object invalid.</summary>
    public IReadOnlyList<FieldIssue> Warnings => _warnings;

    /// <summary>True when no error was found.</summary>
    public bool IsValid => _errors.Count == 0;

    /// <summary>Records an error at a field.</summary>
    public void Add(string path, string message) => _errors.Add(new FieldIssue(path, message));

    /// <summary>Records a warning at a field.</summary>
    public void Warn(string path, string message) => _warnings.Add(new FieldIssue(path, message));

    /// <summary>Records a required-field error: "<paramref name="what"/> is required".</summary>
    public void Required(string path, string what) => Add(path, $"required: {what}");
}
