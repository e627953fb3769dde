using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator.SystemLog;

internal sealed class ScimFilterException(string message, bool unsupportedOperation = false) : Exception(message)
{
    /// <summary>True for a syntactically valid filter the System Log refuses (400 E0000031).</summary>
    public bool UnsupportedOperation { get; } = unsupportedOperation;
}

/// <summary>SCIM filter subset used by the System Log: eq ne sw co ew pr gt ge lt le, and/or/not, parentheses.</summary>
internal abstract class ScimFilter
{
    public abstract bool Matches(JsonNode? root);

    public static ScimFilter Parse(string text)
    {
        var p = new Parser(Tokenize(text));
        var f = p.ParseOr();
        if (!p.AtEnd) throw new ScimFilterException($"Unexpected token '{p.Peek.Text}'");
        return f;
    }

    private sealed class And(ScimFilter l, ScimFilter r) : ScimFilter
    {
        public override bool Matches(JsonNode? root) => l.Matches(root) && r.Matches(root);
    }

    private sealed class Or(ScimFilter l, ScimFilter r) : ScimFilter
    {
        public override bool Matches(JsonNode? root) => l.Matches(root) || r.Matches(root);
    }

    private sealed class Not(ScimFilter inner) : ScimFilter
    {
        public override bool Matches(JsonNode? root) => !inner.Matches(root);
    }

    private sealed class Compare(string[] path, string op, JsonNode? literal) : ScimFilter
    {
        public override bool Matches(JsonNode? root)
        {
            var values = Resolve(root, path);
            return op switch
            {
                "pr" => values.Any(IsPresent),
                "eq" => literal is null ? values.Count == 0 || values.All(v => v is null) : values.Any(v => Cmp(v) == 0),
                "ne" => literal is null ? values.Any(v => v is not null) : !values.Any(v => Cmp(v) == 0),
                "gt" => values.Any(v => Cmp(v) is > 0 and not int.MinValue),
                "ge" => values.Any(v => Cmp(v) is >= 0),
                "lt" => values.Any(v => Cmp(v) is < 0 and not int.MinValue),
                "le" => values.Any(v => Cmp(v) is <= 0 and not int.MinValue),
                "sw" => values.Any(v => Str(v)?.StartsWith(LitStr, StringComparison.Ordinal) == true),
                "co" => values.Any(v => Str(v)?.Contains(LitStr, StringComparison.Ordinal) == true),
                "ew" => values.Any(v => Str(v)?.EndsWith(LitStr, StringComparison.Ordinal) == true),
                _ => false,
            };
        }

        private string LitStr => literal!.GetValue<string>();

        private static bool IsPresent(JsonNode? v) => v switch
        {
            null => false,
            JsonArray a => a.Count > 0,
            JsonValue jv when jv.GetValueKind() == JsonValueKind.String => jv.GetValue<string>().Length > 0,
            _ => true,
        };

        private static string? Str(JsonNode? v) =>
            v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : null;

        /// <summary>Ordering of value vs literal; int.MinValue when incomparable (type mismatch).</summary>
        private int? Cmp(JsonNode? v)
        {
            if (v is not JsonValue jv || literal is not JsonValue lit) return null;
            var vk = jv.GetValueKind();
            var lk = lit.GetValueKind();
            if (vk == JsonValueKind.String && lk == JsonValueKind.String)
                return Math.Sign(string.CompareOrdinal(jv.GetValue<string>(), lit.GetValue<string>()));
            if (vk == JsonValueKind.Number && lk == JsonValueKind.Number)
                return jv.GetValue<double>().CompareTo(lit.GetValue<double>());
            if (vk is JsonValueKind.True or JsonValueKind.False && lk is JsonValueKind.True or JsonValueKind.False)
                return vk == lk ? 0 : int.MinValue;
            return null;
        }
    }

    /// <summary>Resolves a dotted path; arrays along the way fan out (any element matches).</summary>
    private static List<JsonNode?> Resolve(JsonNode? root, string[] path)
    {
        var current = new List<JsonNode?> { root };
        foreach (var segment in path)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                foreach (var item in node is JsonArray arr ? arr.ToList() : [node])
                {
                    if (item is JsonObject o && o.TryGetPropertyValue(segment, out var child))
                        next.Add(child);
                }
            }
            current = next;
        }
        var flat = new List<JsonNode?>();
        foreach (var n in current)
        {
            if (n is JsonArray a) flat.AddRange(a);
            else flat.Add(n);
        }
        return flat;
    }

    private enum TokenKind { LParen, RParen, Word, String, Number, End }

    private sealed record Token(TokenKind Kind, string Text);

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '(') { tokens.Add(new Token(TokenKind.LParen, "(")); i++; continue; }
            if (c == ')') { tokens.Add(new Token(TokenKind.RParen, ")")); i++; continue; }
            if (c == '[' || c == ']') throw new ScimFilterException("Complex attribute filters '[ ]' are not supported");
            if (c == '"')
            {
                var sb = new StringBuilder("\"");
                i++;
                var closed = false;
                while (i < s.Length)
                {
                    if (s[i] == '\\' && i + 1 < s.Length) { sb.Append(s[i]).Append(s[i + 1]); i += 2; continue; }
                    if (s[i] == '"') { closed = true; i++; break; }
                    sb.Append(s[i++]);
                }
                if (!closed) throw new ScimFilterException("Unterminated string literal");
                sb.Append('"');
                string value;
                try { value = JsonSerializer.Deserialize<string>(sb.ToString())!; }
                catch (JsonException) { throw new ScimFilterException("Invalid string literal"); }
                tokens.Add(new Token(TokenKind.String, value));
                continue;
            }
            if (char.IsDigit(c) || (c == '-' && i + 1 < s.Length && char.IsDigit(s[i + 1])))
            {
                var start = i++;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) i++;
                tokens.Add(new Token(TokenKind.Number, s[start..i]));
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c == '$')
            {
                var start = i++;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '.' or '$' or '-' or ':')) i++;
                tokens.Add(new Token(TokenKind.Word, s[start..i]));
                continue;
            }
            throw new ScimFilterException($"Unexpected character '{c}'");
        }
        tokens.Add(new Token(TokenKind.End, ""));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private static readonly HashSet<string> Ops = ["eq", "ne", "sw", "co", "ew", "gt", "ge", "lt", "le", "pr"];
        private int _pos;

        public Token Peek => tokens[_pos];
        public bool AtEnd => Peek.Kind == TokenKind.End;
        private Token Next() => tokens[_pos++];
        private bool PeekWord(string w) => Peek.Kind == TokenKind.Word && Peek.Text.Equals(w, StringComparison.OrdinalIgnoreCase);

        public ScimFilter ParseOr()
        {
            var left = ParseAnd();
            while (PeekWord("or")) { Next(); left = new Or(left, ParseAnd()); }
            return left;
        }

        private ScimFilter ParseAnd()
        {
            var left = ParseUnary();
            while (PeekWord("and")) { Next(); left = new And(left, ParseUnary()); }
            return left;
        }

        private ScimFilter ParseUnary()
        {
            if (PeekWord("not"))
            {
                Next();
                if (Peek.Kind != TokenKind.LParen) throw new ScimFilterException("'not' must be followed by '('");
                return new Not(ParseUnary());
            }
            if (Peek.Kind == TokenKind.LParen)
            {
                Next();
                var inner = ParseOr();
                if (Next().Kind != TokenKind.RParen) throw new ScimFilterException("Missing ')'");
                return inner;
            }
            return ParseComparison();
        }

        private ScimFilter ParseComparison()
        {
            var attr = Next();
            if (attr.Kind != TokenKind.Word || Ops.Contains(attr.Text.ToLowerInvariant()) ||
                attr.Text.Equals("and", StringComparison.OrdinalIgnoreCase) || attr.Text.Equals("or", StringComparison.OrdinalIgnoreCase))
                throw new ScimFilterException($"Expected attribute path but found '{attr.Text}'");
            var path = attr.Text.Split('.');
            if (path.Any(p => p.Length == 0)) throw new ScimFilterException($"Invalid attribute path '{attr.Text}'");
            if (path[0] == "published")
                throw new ScimFilterException("The 'published' attribute cannot be used in a filter; use since/until");

            var opTok = Next();
            var op = opTok.Text.ToLowerInvariant();
            if (opTok.Kind != TokenKind.Word || !Ops.Contains(op))
                throw new ScimFilterException($"Expected operator after '{attr.Text}' but found '{opTok.Text}'");
            if (op == "pr") return new Compare(path, op, null);

            var litTok = Next();
            JsonNode? literal = litTok.Kind switch
            {
                TokenKind.String => JsonValue.Create(litTok.Text),
                TokenKind.Number when double.TryParse(litTok.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
                TokenKind.Word when litTok.Text == "true" => JsonValue.Create(true),
                TokenKind.Word when litTok.Text == "false" => JsonValue.Create(false),
                TokenKind.Word when litTok.Text == "null" => null,
                _ => throw new ScimFilterException($"Invalid comparison value '{litTok.Text}'"),
            };
            if (op is "sw" or "co" or "ew" && litTok.Kind != TokenKind.String)
                throw new ScimFilterException($"Operator '{op}' requires a string value");
            if (literal is null && op is not ("eq" or "ne"))
                throw new ScimFilterException($"Operator '{op}' cannot compare with null");
            if (op == "co" && attr.Text is "debugContext.debugData.url" or "debugContext.debugData.requestUri")
                throw new ScimFilterException($"The 'co' operator is not supported on {attr.Text}", unsupportedOperation: true);
            return new Compare(path, op, literal);
        }
    }
}
