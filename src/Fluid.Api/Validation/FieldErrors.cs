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

    /// <summary>Orders errors and warnings by field path, list indexes numerically, keeping the order of those at one path.</summary>
    public void SortByPath()
    {
        var byPath = Comparer<FieldIssue>.Create((a, b) => ComparePaths(a.Path, b.Path));
        var errors = _errors.Order(byPath).ToList();
        var warnings = _warnings.Order(byPath).ToList();
        _errors.Clear();
        _errors.AddRange(errors);
        _warnings.Clear();
        _warnings.AddRange(warnings);
    }

    /// <summary>Records a required-field error: "<paramref name="what"/> is required".</summary>
    public void Required(string path, string what) => Add(path, $"required: {what}");

    private static int ComparePaths(string a, string b)
    {
        var left = Tokens(a);
        var right = Tokens(b);
        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            var order = int.TryParse(left[i], out var x) && int.TryParse(right[i], out var y)
                ? x.CompareTo(y)
                : string.CompareOrdinal(left[i], right[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return left.Count.CompareTo(right.Count);
    }

    private static List<string> Tokens(string path) => [.. path.Split(['.', '[', ']'], StringSplitOptions.RemoveEmptyEntries)];
}
