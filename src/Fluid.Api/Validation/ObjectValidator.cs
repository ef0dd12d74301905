using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.Validation;

/// <summary>What a rule sees: where to report, and the object being validated.</summary>
public sealed class ValidationContext(IKubeObject root, FieldErrors errors)
{
    /// <summary>The object being validated.</summary>
    public IKubeObject Root { get; } = root;

    /// <summary>Where problems go.</summary>
    public FieldErrors Errors { get; } = errors;

    /// <summary>Namespace of the object ("default" when unset).</summary>
    public string Namespace => string.IsNullOrEmpty(Root.Metadata.Namespace) ? "default" : Root.Metadata.Namespace;
}

/// <summary>A rule about every value of one CLR type (a Level, a Mount, a Dataset, ...), wherever it appears.</summary>
public interface IValidationRule
{
    /// <summary>The type whose values the rule checks (base types and interfaces match too).</summary>
    Type Target { get; }

    /// <summary>Checks one value found at <paramref name="path"/>.</summary>
    void Check(object value, string path, ValidationContext context);
}

/// <summary>Typed base of <see cref="IValidationRule"/>.</summary>
public abstract class ValidationRule<T> : IValidationRule
{
    /// <inheritdoc/>
    public Type Target => typeof(T);

    /// <inheritdoc/>
    public void Check(object value, string path, ValidationContext context) => Check((T)value, path, context);

    /// <summary>Checks one value found at <paramref name="path"/>.</summary>
    protected abstract void Check(T value, string path, ValidationContext context);
}

/// <summary>
/// Validates an object as the API server would, returning every error at once with its field
/// path: the schema constraints declared on the types ([Required], [AllowedValues], [Range],
/// [MinLength], [RegularExpression]), metadata names, and the rules of each type.
/// </summary>
public static class ObjectValidator
{
    private static readonly List<IValidationRule> Rules = [];
    private static readonly ConcurrentDictionary<Type, IValidationRule[]> RulesByType = new();
    private static readonly Lock RulesLock = new();

    static ObjectValidator() => AddRules(typeof(ObjectValidator).Assembly);

    /// <summary>Registers every concrete <see cref="IValidationRule"/> of an assembly.</summary>
    public static void AddRules(Assembly assembly)
    {
        lock (RulesLock)
        {
            foreach (var type in assembly.GetTypes())
            {
                if (!type.IsAbstract && typeof(IValidationRule).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null
                    && !Rules.Any(r => r.GetType() == type))
                {
                    Rules.Add((IValidationRule)Activator.CreateInstance(type)!);
                }
            }

            RulesByType.Clear();
        }
    }

    /// <summary>Every error (and warning) of an object.</summary>
    public static FieldErrors Validate(IKubeObject obj)
    {
        var errors = new FieldErrors();
        var context = new ValidationContext(obj, errors);
        ValidateMetadata(obj, errors);
        ObjectWalker.Walk(
            obj,
            (value, path) =>
            {
                foreach (var rule in RulesFor(value.GetType()))
                {
                    rule.Check(value, path, context);
                }
            },
            field => CheckConstraints(field, errors));
        errors.SortByPath();
        return errors;
    }

    private static IValidationRule[] RulesFor(Type type) =>
        RulesByType.GetOrAdd(type, t =>
        {
            lock (RulesLock)
            {
                return [.. Rules.Where(r => r.Target.IsAssignableFrom(t))];
            }
        });

    private static void ValidateMetadata(IKubeObject obj, FieldErrors errors)
    {
        var meta = obj.Metadata;
        var fluidKind = obj.ApiVersion?.StartsWith(FluidResourceAttribute.FluidGroup + "/", StringComparison.Ordinal) == true;
        if (string.IsNullOrEmpty(meta.Name))
        {
            if (string.IsNullOrEmpty(meta.GenerateName))
            {
                errors.Required("metadata.name", "give the object a name (or a generateName prefix)");
            }
        }
        else if (fluidKind)
        {
            // Fluid derives service and workload names from these names, so they must be DNS-1035 labels.
            if (Names.Dns1035Label(meta.Name) is { } problem)
            {
                errors.Add("metadata.name", problem);
            }
        }
        else if (Names.Dns1123Subdomain(meta.Name) is { } problem)
        {
            errors.Add("metadata.name", problem);
        }

        if (!string.IsNullOrEmpty(meta.Namespace) && Names.Dns1123Label(meta.Namespace) is { } nsProblem)
        {
            errors.Add("metadata.namespace", nsProblem);
        }

        if (fluidKind && obj.GetType().GetCustomAttribute<KubeResourceAttribute>() is { Scope: ResourceScope.Cluster } && !string.IsNullOrEmpty(meta.Namespace))
        {
            errors.Add("metadata.namespace", $"{obj.Kind} is cluster-scoped; remove the namespace");
        }
    }

    private static void CheckConstraints(FieldVisit field, FieldErrors errors)
    {
        var property = field.Property;
        var value = field.Value;
        var path = field.Path;
        if (property.GetCustomAttribute<RequiredAttribute>() is not null && (value is null || value is string { Length: 0 }))
        {
            errors.Required(path, "this field must be set");
            return;
        }

        if (value is null)
        {
            return;
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed && value is string text
            && !allowed.Values.Any(v => string.Equals(v?.ToString(), text, StringComparison.Ordinal)))
        {
            var choices = allowed.Values.Select(v => v?.ToString()).Where(v => !string.IsNullOrEmpty(v)).ToList();
            var near = choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
            errors.Add(path, near is not null
                ? $"\"{text}\" is not allowed; values are case-sensitive: write \"{near}\""
                : $"\"{text}\" is not allowed; use one of {string.Join(", ", choices)}");
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range && IsNumber(value))
        {
            var number = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
            var min = Convert.ToDecimal(range.Minimum, CultureInfo.InvariantCulture);
            var max = Convert.ToDecimal(range.Maximum, CultureInfo.InvariantCulture);
            if (number < min || number > max)
            {
                errors.Add(path, max >= int.MaxValue
                    ? $"{number} is too small; use {min} or more"
                    : $"{number} is out of range; use a value from {min} to {max}");
            }
        }

        var length = value switch
        {
            string s => s.Length,
            ICollection c => c.Count,
            _ => -1,
        };
        if (length >= 0 && property.GetCustomAttribute<MinLengthAttribute>() is { } minLength && length < minLength.Length)
        {
            errors.Add(path, value is string
                ? $"\"{value}\" is too short; use at least {minLength.Length} characters"
                : $"give at least {minLength.Length} item(s)");
        }

        if (length >= 0 && property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength && length > maxLength.Length)
        {
            errors.Add(path, value is string
                ? $"{length} characters is too long; use at most {maxLength.Length}"
                : $"{length} items is too many; give at most {maxLength.Length}");
        }

        if (value is string pattern && property.GetCustomAttribute<RegularExpressionAttribute>() is { } regex
            && !Regex.IsMatch(pattern, regex.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add(path, $"\"{pattern}\" does not match the pattern {regex.Pattern}");
        }
    }

    private static bool IsNumber(object value) => value is int or long or short or byte or uint or ulong or double or float or decimal;
}
