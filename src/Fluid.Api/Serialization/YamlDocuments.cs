using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fluid.Api.Serialization;

/// <summary>One YAML document turned into JSON, with the line it starts on.</summary>
/// <param name="Content">The document (empty and null documents are skipped).</param>
/// <param name="Line">1-based line where the document starts.</param>
public sealed record YamlDocument(JsonNode Content, int Line);

/// <summary>A YAML input that cannot be read, with the line and column of the problem.</summary>
public sealed class YamlSyntaxException(string message, int line, int column)
    : FormatException($"line {line}, column {column}: {message}")
{
    /// <summary>1-based line of the problem.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; } = column;
}

/// <summary>
/// Converts between YAML streams and JSON trees the way the Kubernetes tools do: plain scalars
/// resolved by the YAML 1.2 core schema, anchors and merge keys expanded, duplicate keys rejected.
/// </summary>
public static class YamlDocuments
{
    /// <summary>Deepest nesting accepted; deeper input is rejected rather than risking the stack.</summary>
    public const int MaxDepth = 100;

    /// <summary>Most nodes one stream may expand to, so alias bombs cannot exhaust memory.</summary>
    public const int MaxNodes = 2_000_000;

    /// <summary>Parses every document of a YAML stream.</summary>
    /// <exception cref="YamlSyntaxException">The text is not valid YAML or exceeds the limits.</exception>
    public static IReadOnlyList<YamlDocument> Parse(string yaml)
    {
        var builder = new TreeBuilder(new Parser(new StringReader(yaml)));
        try
        {
            return builder.ReadStream();
        }
        catch (YamlException e)
        {
            throw new YamlSyntaxException(Describe(e), (int)e.Start.Line, (int)e.Start.Column);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this on some unterminated flow collections.
            var at = builder.LastMark;
            throw new YamlSyntaxException("unexpected end of a flow collection ([...] or {...} not closed?)", (int)at.Line, (int)at.Column);
        }
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes positions itself; keep only the reason.
        var message = e.InnerException?.Message ?? e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }

    /// <summary>Writes JSON trees as a YAML stream, one document each, separated by "---".</summary>
    public static string Write(IEnumerable<JsonNode?> documents)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024));
        emitter.Emit(new StreamStart());
        var first = true;
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            first = false;
        }

        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>Writes one JSON tree as a YAML document.</summary>
    public static string Write(JsonNode? document) => Write([document]);

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        EmitString(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                    case JsonValueKind.Number:
                        emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                        break;
                    default:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                        break;
                }

                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = text.Contains('\n', StringComparison.Ordinal) && !HasTrailingSpaceOnALine(text)
            ? ScalarStyle.Literal
            : ScalarResolver.WouldReadAsNonString(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    private static bool HasTrailingSpaceOnALine(string text) =>
        text.Contains(" \n", StringComparison.Ordinal) || text.EndsWith(' ') || text.StartsWith(' ');

    private sealed class TreeBuilder(IParser parser)
    {
        private readonly Dictionary<string, JsonNode?> _anchors = new(StringComparer.Ordinal);
        private int _nodes;

        public Mark LastMark { get; private set; } = Mark.Empty;

        public List<YamlDocument> ReadStream()
        {
            var documents = new List<YamlDocument>();
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                _anchors.Clear();
                var content = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(depth: 0);

                parser.Consume<DocumentEnd>();
                if (content is not null)
                {
                    documents.Add(new YamlDocument(content, (int)start.Start.Line));
                }
            }

            parser.Consume<StreamEnd>();
            return documents;
        }

        private JsonNode? ReadNode(int depth)
        {
            if (depth > MaxDepth)
            {
                var here = parser.Current!.Start;
                throw new YamlSyntaxException($"nesting deeper than {MaxDepth} levels", (int)here.Line, (int)here.Column);
            }

            LastMark = parser.Current!.Start;
            Count(LastMark);
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new YamlSyntaxException($"alias *{alias.Value.Value} refers to no anchor", (int)alias.Start.Line, (int)alias.Start.Column);
                }

                var copy = target?.DeepClone();
                Count(alias.Start, CountNodes(copy));
                return copy;
            }

            if (parser.TryConsume<Scalar>(out var scalar))
            {
                var value = ScalarResolver.Resolve(scalar);
                Remember(scalar.Anchor, value);
                return value;
            }

            if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                var array = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(ReadNode(depth + 1));
                }

                Remember(sequenceStart.Anchor, array);
                return array;
            }

            var mappingStart = parser.Consume<MappingStart>();
            var obj = new JsonObject();
            var merged = new List<JsonObject>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyMark = parser.Current!.Start;
                var key = ReadNode(depth + 1);
                var keyText = key switch
                {
                    null => "null",
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    JsonValue v => v.ToJsonString(),
                    _ => throw new YamlSyntaxException("a mapping key must be a scalar", (int)keyMark.Line, (int)keyMark.Column),
                };
                var value = ReadNode(depth + 1);
                if (keyText == "<<")
                {
                    CollectMerge(value, merged, keyMark);
                    continue;
                }

                if (obj.ContainsKey(keyText))
                {
                    throw new YamlSyntaxException($"duplicate key \"{keyText}\"", (int)keyMark.Line, (int)keyMark.Column);
                }

                obj[keyText] = value;
            }

            // Keys written in the mapping win over merged ones; earlier merge sources win over later.
            foreach (var source in merged)
            {
                foreach (var (k, v) in source)
                {
                    if (!obj.ContainsKey(k))
                    {
                        obj[k] = v?.DeepClone();
                    }
                }
            }

            Remember(mappingStart.Anchor, obj);
            return obj;
        }

        private static void CollectMerge(JsonNode? value, List<JsonObject> merged, Mark mark)
        {
            switch (value)
            {
                case JsonObject single:
                    merged.Add(single);
                    break;
                case JsonArray many when many.All(m => m is JsonObject):
                    merged.AddRange(many.Cast<JsonObject>());
                    break;
                default:
                    throw new YamlSyntaxException("a merge key (<<) needs a mapping or a list of mappings", (int)mark.Line, (int)mark.Column);
            }
        }

        private void Remember(AnchorName anchor, JsonNode? node)
        {
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = node;
            }
        }

        private void Count(Mark mark, int nodes = 1)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw new YamlSyntaxException($"the input expands to more than {MaxNodes} nodes (too many aliases?)", (int)mark.Line, (int)mark.Column);
            }
        }

        private static int CountNodes(JsonNode? node) => node switch
        {
            JsonObject o => 1 + o.Sum(p => CountNodes(p.Value)),
            JsonArray a => 1 + a.Sum(CountNodes),
            _ => 1,
        };
    }
}

/// <summary>How plain YAML scalars resolve to JSON values (YAML 1.2 core schema).</summary>
internal static class ScalarResolver
{
    public static JsonNode? Resolve(Scalar scalar)
    {
        var text = scalar.Value;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && !scalar.IsPlainImplicit))
        {
            return JsonValue.Create(text);
        }

        if (tag is "tag:yaml.org,2002:null" || IsNull(text))
        {
            return tag is null or "tag:yaml.org,2002:null" ? null : JsonValue.Create(text);
        }

        if (IsBool(text, out var b))
        {
            return JsonValue.Create(b);
        }

        return Number(text) ?? JsonValue.Create(text);
    }

    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static bool IsBool(string text, out bool value)
    {
        value = text is "true" or "True" or "TRUE";
        return value || text is "false" or "False" or "FALSE";
    }

    /// <summary>A number node keeping the text as written when it is valid JSON, else its value.</summary>
    private static JsonNode? Number(string text)
    {
        if (text.Length == 0 || text.Length > 400)
        {
            return null;
        }

        var c = text[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.'))
        {
            return null;
        }

        if (IsJsonNumber(text))
        {
            return JsonNode.Parse(text);
        }

        var unsigned = text.TrimStart('+', '-');
        var negative = text.StartsWith('-');
        if (unsigned.StartsWith("0x", StringComparison.Ordinal) && unsigned.Length > 2 && long.TryParse(unsigned.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && text[0] != '+' && !negative)
        {
            return JsonValue.Create(hex);
        }

        if (unsigned.StartsWith("0o", StringComparison.Ordinal) && unsigned.Length > 2 && text[0] != '+' && !negative && unsigned[2..].All(ch => ch is >= '0' and <= '7'))
        {
            return JsonValue.Create(Convert.ToInt64(unsigned[2..], 8));
        }

        if (unsigned.All(char.IsAsciiDigit) && unsigned.Length > 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (unsigned is ".inf" or ".Inf" or ".INF" or ".nan" or ".NaN" or ".NAN")
        {
            // JSON has no infinities; keep the text so the type check can say what is wrong.
            return JsonValue.Create(text);
        }

        if (IsYamlFloat(unsigned) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            return JsonValue.Create(real);
        }

        return null;
    }

    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsYamlFloat(string s)
    {
        var i = 0;
        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var exp = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                exp++;
            }

            if (exp == 0)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    /// <summary>
    /// True when a string written plain would be read back as something else, by us (YAML 1.2)
    /// or by YAML 1.1 readers such as kubectl's (yes/no/on/off, octal, sexagesimal...).
    /// </summary>
    public static bool WouldReadAsNonString(string text)
    {
        if (IsNull(text) || IsBool(text, out _) || Number(text) is not null)
        {
            return true;
        }

        if (text is "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO" or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "=" or "<<")
        {
            return true;
        }

        // YAML 1.1 numbers: underscores, sexagesimal (1:20), leading zeros, timestamps.
        var first = text.Length > 0 ? text[0] : ' ';
        return (char.IsAsciiDigit(first) || first is '-' or '+' or '.')
            && text.All(ch => char.IsAsciiDigit(ch) || ch is '_' or ':' or '.' or '-' or '+' or 'e' or 'E' or 'T' or 't' or 'Z' or 'z' or ' ');
    }
}
