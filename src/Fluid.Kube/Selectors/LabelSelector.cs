using System.Text;

namespace Fluid.Kube.Selectors;

/// <summary>How a label requirement compares a label's value.</summary>
public enum LabelOperator
{
    /// <summary>key=value or key==value: the label is present with this value.</summary>
    Equals,

    /// <summary>key!=value: the label is absent or has another value.</summary>
    NotEquals,

    /// <summary>key in (a,b): the label is present with one of the values.</summary>
    In,

    /// <summary>key notin (a,b): the label is absent or has none of the values.</summary>
    NotIn,

    /// <summary>key: the label is present, whatever its value.</summary>
    Exists,

    /// <summary>!key: the label is absent.</summary>
    DoesNotExist,
}

/// <summary>One condition of a label selector.</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    /// <summary>True when labels satisfy this requirement (null labels are no labels).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var present = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            LabelOperator.Equals => present && value == Values[0],
            LabelOperator.NotEquals => !present || value != Values[0],
            LabelOperator.In => present && Values.Contains(value!),
            LabelOperator.NotIn => !present || !Values.Contains(value!),
            LabelOperator.Exists => present,
            LabelOperator.DoesNotExist => !present,
            _ => false,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Operator switch
    {
        LabelOperator.Equals => $"{Key}={Values[0]}",
        LabelOperator.NotEquals => $"{Key}!={Values[0]}",
        LabelOperator.In => $"{Key} in ({string.Join(",", Values)})",
        LabelOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        LabelOperator.Exists => Key,
        _ => $"!{Key}",
    };
}

/// <summary>A label selector string could not be read; the message says where and why.</summary>
public sealed class SelectorSyntaxException(string message) : FormatException(message);

/// <summary>
/// A Kubernetes label selector, as in ?labelSelector=: requirements joined by commas, all of
/// which must hold. Equality-based (a=b, a==b, a!=b) and set-based (a in (x,y), a notin (x),
/// a, !a). The empty selector matches everything.
/// </summary>
public sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    /// <summary>The selector that matches every object.</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>The requirements, all of which must hold.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector has no requirement.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>True when every requirement holds for the labels.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Builds a selector from requirements (checked as a parsed one would be).</summary>
    public static LabelSelector From(IEnumerable<LabelRequirement> requirements)
    {
        var list = requirements.ToList();
        foreach (var r in list)
        {
            CheckKey(r.Key, r.ToString());
            var needsValues = r.Operator is LabelOperator.In or LabelOperator.NotIn;
            var single = r.Operator is LabelOperator.Equals or LabelOperator.NotEquals;
            if ((needsValues && r.Values.Count == 0) || (single && r.Values.Count != 1) || (!needsValues && !single && r.Values.Count != 0))
            {
                throw new SelectorSyntaxException($"\"{r}\": operator {r.Operator} takes {(needsValues ? "one or more values" : single ? "exactly one value" : "no values")}");
            }

            foreach (var v in r.Values)
            {
                CheckValue(v, r.ToString());
            }
        }

        return new LabelSelector(list);
    }

    /// <summary>Builds the selector of matchLabels: every label must have its value.</summary>
    public static LabelSelector FromLabels(IReadOnlyDictionary<string, string> labels) =>
        From(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new LabelRequirement(l.Key, LabelOperator.Equals, [l.Value])));

    /// <summary>Parses a selector; throws <see cref="SelectorSyntaxException"/> naming the bad part.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var parser = new Parser(text);
        return new LabelSelector(parser.ParseAll());
    }

    /// <summary>Parses a selector; returns false with the reason instead of throwing.</summary>
    public static bool TryParse(string? text, out LabelSelector selector, out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (SelectorSyntaxException e)
        {
            selector = Everything;
            error = e.Message;
            return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", Requirements);

    internal static void CheckKey(string key, string context)
    {
        if (key.Length == 0)
        {
            throw new SelectorSyntaxException($"\"{context}\": a label key is missing");
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || prefix.Length > 253 || !IsDnsSubdomain(prefix))
            {
                throw new SelectorSyntaxException($"\"{context}\": label key prefix \"{prefix}\" must be a DNS subdomain (lower case letters, digits, '-' and '.', at most 253 characters), e.g. example.com/");
            }
        }

        if (name.Length == 0 || name.Length > 63 || !IsQualifiedName(name))
        {
            throw new SelectorSyntaxException($"\"{context}\": label key \"{key}\" is not valid: the name part must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
    }

    internal static void CheckValue(string value, string context)
    {
        if (value.Length > 63 || (value.Length > 0 && !IsQualifiedName(value)))
        {
            throw new SelectorSyntaxException($"\"{context}\": label value \"{value}\" is not valid: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
    }

    private static bool IsQualifiedName(string s) =>
        char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsSubdomain(string s) =>
        s.Split('.').All(part => part.Length is > 0 and <= 63 && (char.IsAsciiLetterLower(part[0]) || char.IsAsciiDigit(part[0]))
            && (char.IsAsciiLetterLower(part[^1]) || char.IsAsciiDigit(part[^1])) && part.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));

    private sealed class Parser(string text)
    {
        private int _pos;

        public List<LabelRequirement> ParseAll()
        {
            var result = new List<LabelRequirement>();
            while (true)
            {
                SkipSpaces();
                var start = _pos;
                result.Add(ParseRequirement());
                SkipSpaces();
                if (_pos >= text.Length)
                {
                    return result;
                }

                if (text[_pos] != ',')
                {
                    throw Error($"expected ',' between requirements at position {_pos + 1} (after \"{text[start.._pos].Trim()}\")");
                }

                _pos++;
                SkipSpaces();
                if (_pos >= text.Length)
                {
                    throw Error("a requirement is missing after the last ','");
                }
            }
        }

        private LabelRequirement ParseRequirement()
        {
            var start = _pos;
            if (Peek() == '!')
            {
                _pos++;
                SkipSpaces();
                var negated = ReadWord();
                CheckKey(negated, text[start.._pos]);
                SkipSpaces();
                if (_pos < text.Length && text[_pos] != ',')
                {
                    throw Error($"\"!{negated}\" takes no operator or value; write !{negated} alone to select objects without the label");
                }

                return new LabelRequirement(negated, LabelOperator.DoesNotExist, []);
            }

            var key = ReadWord();
            if (key.Length == 0)
            {
                throw Error($"expected a label key at position {_pos + 1}");
            }

            SkipSpaces();
            if (_pos >= text.Length || text[_pos] == ',')
            {
                CheckKey(key, key);
                return new LabelRequirement(key, LabelOperator.Exists, []);
            }

            LabelOperator op;
            if (Take("=="))
            {
                op = LabelOperator.Equals;
            }
            else if (Take("!="))
            {
                op = LabelOperator.NotEquals;
            }
            else if (Take("="))
            {
                op = LabelOperator.Equals;
            }
            else
            {
                var word = ReadWord();
                op = word switch
                {
                    "in" => LabelOperator.In,
                    "notin" => LabelOperator.NotIn,
                    "" => throw Error($"\"{key}\" is followed by '{text[_pos]}'; use =, ==, !=, in (...) or notin (...)"),
                    _ => throw Error($"unknown operator \"{word}\" after \"{key}\"; use =, ==, !=, in (...) or notin (...)"),
                };
            }

            CheckKey(key, text[start.._pos].Trim());
            SkipSpaces();
            if (op is LabelOperator.In or LabelOperator.NotIn)
            {
                var values = ReadSet(key, op);
                return new LabelRequirement(key, op, values);
            }

            var value = ReadWord();
            CheckValue(value, text[start.._pos].Trim());
            return new LabelRequirement(key, op, [value]);
        }

        private List<string> ReadSet(string key, LabelOperator op)
        {
            var name = op == LabelOperator.In ? "in" : "notin";
            if (Peek() != '(')
            {
                throw Error($"\"{key} {name}\" needs a parenthesized list of values, e.g. {key} {name} (a,b)");
            }

            _pos++;
            var values = new List<string>();
            while (true)
            {
                SkipSpaces();
                var value = ReadWord();
                CheckValue(value, $"{key} {name} (...)");
                values.Add(value);
                SkipSpaces();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                if (Peek() == ')')
                {
                    _pos++;
                    break;
                }

                throw Error($"the value list of \"{key} {name}\" is not closed; write {key} {name} (a,b)");
            }

            if (values.Count == 1 && values[0].Length == 0)
            {
                throw Error($"\"{key} {name} ()\" needs at least one value");
            }

            return values;
        }

        private string ReadWord()
        {
            var start = _pos;
            while (_pos < text.Length && !char.IsWhiteSpace(text[_pos]) && text[_pos] is not (',' or '=' or '!' or '(' or ')'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        private bool Take(string token)
        {
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) == 0)
            {
                _pos += token.Length;
                return true;
            }

            return false;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpaces()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private SelectorSyntaxException Error(string message) => new($"label selector \"{text}\": {message}");
    }
}

/// <summary>One condition of a field selector: a field path compared with a value.</summary>
public sealed record FieldRequirement(string Field, bool Equal, string Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Field}{(Equal ? "=" : "!=")}{FieldSelector.Escape(Value)}";
}

/// <summary>
/// A Kubernetes field selector, as in ?fieldSelector=: field=value, field==value and
/// field!=value joined by commas; '\' escapes ',', '=' and '\' inside values.
/// </summary>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    /// <summary>The selector that matches every object.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The requirements, all of which must hold.</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>True when the selector has no requirement.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>The value an equality requirement demands of a field, if there is one (e.g. metadata.name).</summary>
    public string? RequiredValue(string field) => Requirements.FirstOrDefault(r => r.Equal && r.Field == field)?.Value;

    /// <summary>True when every requirement holds; <paramref name="field"/> returns a field's value or null when absent (absent equals "").</summary>
    public bool Matches(Func<string, string?> field)
    {
        foreach (var r in Requirements)
        {
            var value = field(r.Field) ?? "";
            if ((value == r.Value) != r.Equal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a selector; throws <see cref="SelectorSyntaxException"/> naming the bad part.</summary>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var result = new List<FieldRequirement>();
        foreach (var part in SplitUnescaped(text, ','))
        {
            var term = part.Trim();
            if (term.Length == 0)
            {
                throw new SelectorSyntaxException($"field selector \"{text}\": an empty requirement between commas");
            }

            int at;
            int length;
            bool equal;
            if ((at = IndexUnescaped(term, "!=")) >= 0)
            {
                (length, equal) = (2, false);
            }
            else if ((at = IndexUnescaped(term, "==")) >= 0)
            {
                (length, equal) = (2, true);
            }
            else if ((at = IndexUnescaped(term, "=")) >= 0)
            {
                (length, equal) = (1, true);
            }
            else
            {
                throw new SelectorSyntaxException($"field selector \"{text}\": \"{term}\" has no operator; write field=value, field==value or field!=value (e.g. metadata.name=demo)");
            }

            var field = term[..at].Trim();
            if (field.Length == 0 || !field.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                throw new SelectorSyntaxException($"field selector \"{text}\": \"{field}\" is not a field path such as metadata.name");
            }

            result.Add(new FieldRequirement(field, equal, Unescape(term[(at + length)..].Trim(), text)));
        }

        return new FieldSelector(result);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", Requirements);

    internal static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == separator)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static int IndexUnescaped(string text, string token)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string value, string text)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                if (i + 1 >= value.Length || value[i + 1] is not ('\\' or ',' or '='))
                {
                    throw new SelectorSyntaxException($"field selector \"{text}\": '\\' may only escape '\\', ',' or '='");
                }

                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }
}
