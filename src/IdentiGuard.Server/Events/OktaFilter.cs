using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IdentiGuard.Server.Events;

/// <summary>A filter that could not be parsed; <see cref="Position"/> is the 1-based character where it went wrong.</summary>
public sealed class OktaFilterException(string message, int position) : FormatException($"{message} (at position {position})")
{
    public int Position { get; } = position;
    public string Reason { get; } = message;
}

public enum FilterOperator { Eq, Ne, Sw, Co, Ew, Gt, Ge, Lt, Le }

public enum LiteralKind { String, Number, Boolean, Null }

public sealed record FilterLiteral(LiteralKind Kind, string? Text, decimal Number = 0, bool Boolean = false)
{
    public override string ToString() => Kind switch
    {
        LiteralKind.String => JsonSerializer.Serialize(Text),
        LiteralKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        LiteralKind.Boolean => Boolean ? "true" : "false",
        _ => "null",
    };
}

public abstract record FilterNode;

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override string ToString() => $"({Left} and {Right})";
}

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override string ToString() => $"({Left} or {Right})";
}

public sealed record NotNode(FilterNode Operand) : FilterNode
{
    public override string ToString() => $"not {Operand}";
}

public sealed record CompareNode(string Path, FilterOperator Operator, FilterLiteral Value) : FilterNode
{
    public override string ToString() => $"{Path} {Operator.ToString().ToLowerInvariant()} {Value}";
}

public sealed record PresentNode(string Path) : FilterNode
{
    public override string ToString() => $"{Path} pr";
}

public sealed record InNode(string Path, IReadOnlyList<FilterLiteral> Values) : FilterNode
{
    public override string ToString() => $"{Path} in ({string.Join(", ", Values)})";
}

/// <summary>
/// Okta's System Log filter syntax (SCIM-style): <c>eventType eq "user.session.start" and outcome.result eq "FAILURE"</c>.
/// Operators eq, ne, sw, co, ew, gt, ge, lt, le, pr and <c>in ("a", "b")</c>; and/or/not with parentheses (not binds
/// tightest, then and, then or). Keywords are case-insensitive; string comparisons are exact.
/// </summary>
public static class OktaFilter
{
    public static FilterNode? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parser = new Parser(text);
        var node = parser.ParseOr();
        parser.ExpectEnd();
        return node;
    }

    // ---- evaluation over the raw event JSON ----

    public static bool Matches(FilterNode node, JsonElement root) => node switch
    {
        AndNode a => Matches(a.Left, root) && Matches(a.Right, root),
        OrNode o => Matches(o.Left, root) || Matches(o.Right, root),
        NotNode n => !Matches(n.Operand, root),
        PresentNode p => Resolve(root, p.Path).Any(v => v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)),
        InNode i => Resolve(root, i.Path).Any(v => i.Values.Any(l => Compare(v, FilterOperator.Eq, l))),
        CompareNode c when c.Operator == FilterOperator.Ne => !Resolve(root, c.Path).Any(v => Compare(v, FilterOperator.Eq, c.Value)),
        CompareNode c => Resolve(root, c.Path).Any(v => Compare(v, c.Operator, c.Value)),
        _ => false,
    };

    /// <summary>The values at a dotted path: property names case-insensitive, arrays flattened (any element may match).</summary>
    public static List<JsonElement> Resolve(JsonElement root, string path)
    {
        var current = new List<JsonElement> { root };
        foreach (var segment in path.Split('.'))
        {
            var next = new List<JsonElement>();
            foreach (var element in current) Step(element, segment, next);
            current = next;
            if (current.Count == 0) break;
        }
        var flat = new List<JsonElement>(current.Count);
        foreach (var value in current) Flatten(value, flat);
        return flat;
    }

    private static void Step(JsonElement element, string segment, List<JsonElement> into)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) Step(item, segment, into);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        if (element.TryGetProperty(segment, out var exact))
        {
            into.Add(exact);
            return;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, segment, StringComparison.OrdinalIgnoreCase))
            {
                into.Add(property.Value);
                return;
            }
        }
    }

    private static void Flatten(JsonElement value, List<JsonElement> into)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray()) Flatten(item, into);
        }
        else
        {
            into.Add(value);
        }
    }

    private static bool Compare(JsonElement value, FilterOperator op, FilterLiteral literal)
    {
        switch (literal.Kind)
        {
            case LiteralKind.Null:
                return op == FilterOperator.Eq && value.ValueKind == JsonValueKind.Null;
            case LiteralKind.Boolean:
                return op == FilterOperator.Eq && value.ValueKind is JsonValueKind.True or JsonValueKind.False && value.GetBoolean() == literal.Boolean;
            case LiteralKind.Number:
                decimal number;
                if (value.ValueKind == JsonValueKind.Number) { if (!value.TryGetDecimal(out number)) return false; }
                else if (value.ValueKind != JsonValueKind.String || !decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)) return false;
                var order = number.CompareTo(literal.Number);
                return Ordered(op, order);
            default:
                string? text = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                    _ => null,
                };
                if (text is null) return false;
                var expected = literal.Text!;
                return op switch
                {
                    FilterOperator.Sw => text.StartsWith(expected, StringComparison.Ordinal),
                    FilterOperator.Ew => text.EndsWith(expected, StringComparison.Ordinal),
                    FilterOperator.Co => text.Contains(expected, StringComparison.Ordinal),
                    _ => Ordered(op, string.CompareOrdinal(text, expected)),
                };
        }
    }

    private static bool Ordered(FilterOperator op, int order) => op switch
    {
        FilterOperator.Eq => order == 0,
        FilterOperator.Gt => order > 0,
        FilterOperator.Ge => order >= 0,
        FilterOperator.Lt => order < 0,
        FilterOperator.Le => order <= 0,
        _ => false,
    };

    // ---- the parser ----

    private sealed class Parser(string text)
    {
        private int pos;

        public FilterNode ParseOr()
        {
            var left = ParseAnd();
            while (TryKeyword("or")) left = new OrNode(left, ParseAnd());
            return left;
        }

        private FilterNode ParseAnd()
        {
            var left = ParseUnary();
            while (TryKeyword("and")) left = new AndNode(left, ParseUnary());
            return left;
        }

        private FilterNode ParseUnary()
        {
            if (TryKeyword("not")) return new NotNode(ParseUnary());
            return ParsePrimary();
        }

        private FilterNode ParsePrimary()
        {
            SkipSpace();
            if (pos >= text.Length) throw Error("Expected an attribute, 'not' or '(' but the filter ended");
            if (text[pos] == '(')
            {
                pos++;
                var inner = ParseOr();
                SkipSpace();
                if (pos >= text.Length || text[pos] != ')') throw Error("Expected ')' to close the '(' group");
                pos++;
                return inner;
            }
            var path = ParsePath();
            SkipSpace();
            var opStart = pos;
            var word = ReadWord();
            if (word.Length == 0) throw Error(pos >= text.Length ? $"Expected an operator after '{path}' but the filter ended" : $"Expected an operator after '{path}'");
            switch (word.ToLowerInvariant())
            {
                case "pr":
                    return new PresentNode(path);
                case "in":
                    return new InNode(path, ParseList());
            }
            FilterOperator op = word.ToLowerInvariant() switch
            {
                "eq" => FilterOperator.Eq,
                "ne" => FilterOperator.Ne,
                "sw" => FilterOperator.Sw,
                "co" => FilterOperator.Co,
                "ew" => FilterOperator.Ew,
                "gt" => FilterOperator.Gt,
                "ge" => FilterOperator.Ge,
                "lt" => FilterOperator.Lt,
                "le" => FilterOperator.Le,
                _ => throw new OktaFilterException($"Unknown operator '{word}' (use eq, ne, sw, co, ew, gt, ge, lt, le, pr or in)", opStart + 1),
            };
            var value = ParseLiteral(word);
            if (op is FilterOperator.Sw or FilterOperator.Co or FilterOperator.Ew && value.Kind != LiteralKind.String)
                throw new OktaFilterException($"'{word}' needs a string value", opStart + 1);
            return new CompareNode(path, op, value);
        }

        private List<FilterLiteral> ParseList()
        {
            SkipSpace();
            if (pos >= text.Length || text[pos] is not ('(' or '[')) throw Error("Expected '(' with a list of values after 'in'");
            var close = text[pos] == '(' ? ')' : ']';
            pos++;
            var values = new List<FilterLiteral>();
            while (true)
            {
                values.Add(ParseLiteral("in"));
                SkipSpace();
                if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                if (pos < text.Length && text[pos] == close) { pos++; return values; }
                throw Error($"Expected ',' or '{close}' in the 'in' list");
            }
        }

        private string ParsePath()
        {
            var start = pos;
            while (true)
            {
                var segmentStart = pos;
                if (pos < text.Length && (char.IsAsciiLetter(text[pos]) || text[pos] is '_' or '$')) pos++;
                else
                {
                    if (segmentStart == start) throw Error(pos < text.Length && text[pos] == '"' ? "Expected an attribute name before the value" : $"Expected an attribute name such as eventType");
                    throw Error("Expected an attribute name after '.'");
                }
                while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] is '_' or '$' or '-')) pos++;
                if (pos < text.Length && text[pos] == '.') { pos++; continue; }
                return text[start..pos];
            }
        }

        private FilterLiteral ParseLiteral(string after)
        {
            SkipSpace();
            if (pos >= text.Length) throw Error($"Expected a value after '{after}' but the filter ended");
            var c = text[pos];
            if (c == '"') return new FilterLiteral(LiteralKind.String, ReadString());
            if (c == '-' || char.IsAsciiDigit(c))
            {
                var start = pos;
                if (c == '-') pos++;
                while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] is '.' or 'e' or 'E' or '+' or '-')) pos++;
                var token = text[start..pos];
                if (!decimal.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    throw new OktaFilterException($"'{token}' is not a number", start + 1);
                return new FilterLiteral(LiteralKind.Number, token, number);
            }
            var wordStart = pos;
            var word = ReadWord();
            return word.ToLowerInvariant() switch
            {
                "true" => new FilterLiteral(LiteralKind.Boolean, "true", Boolean: true),
                "false" => new FilterLiteral(LiteralKind.Boolean, "false", Boolean: false),
                "null" => new FilterLiteral(LiteralKind.Null, null),
                _ => throw new OktaFilterException($"Expected a value after '{after}' (a \"quoted string\", a number, true, false or null)", wordStart + 1),
            };
        }

        private string ReadString()
        {
            var start = pos;
            pos++; // opening quote
            var sb = new StringBuilder();
            while (pos < text.Length)
            {
                var c = text[pos++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= text.Length) break;
                var e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'u' when pos + 4 <= text.Length && int.TryParse(text.AsSpan(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                        sb.Append((char)code);
                        pos += 4;
                        break;
                    default: throw new OktaFilterException($"Unknown escape '\\{e}' in a string", pos - 1);
                }
            }
            throw new OktaFilterException("The string starting here is not closed with '\"'", start + 1);
        }

        private string ReadWord()
        {
            var start = pos;
            while (pos < text.Length && char.IsAsciiLetter(text[pos])) pos++;
            return text[start..pos];
        }

        /// <summary>Consumes the keyword when it is next (as a whole word).</summary>
        private bool TryKeyword(string keyword)
        {
            SkipSpace();
            if (pos + keyword.Length > text.Length) return false;
            if (!text.AsSpan(pos, keyword.Length).Equals(keyword, StringComparison.OrdinalIgnoreCase)) return false;
            var end = pos + keyword.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.' or '$')) return false;
            pos = end;
            return true;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (pos < text.Length)
                throw Error(text[pos] == ')' ? "Unexpected ')' without a matching '('" : "Expected 'and', 'or' or the end of the filter");
        }

        private void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        }

        private OktaFilterException Error(string message) => new(message, pos + 1);
    }
}
