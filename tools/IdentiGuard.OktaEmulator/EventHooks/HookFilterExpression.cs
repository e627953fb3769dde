using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator.EventHooks;

internal sealed class HookFilterException(string message) : Exception(message);

/// <summary>
/// The Okta Expression Language subset documented for event-hook filters: fields event.eventType,
/// event.outcome.result|reason, event.actor.id|type|alternateId|displayName, event.debugData.changedAttributes,
/// event.target.?[id|type|alternateId|displayName …] with .size(); operators eq ne (== !=) &gt; &lt; &gt;= &lt;=, &amp;&amp; ||, !, ( ).
/// </summary>
internal sealed class HookFilterExpression
{
    private static readonly HashSet<string> ScalarFields = new(StringComparer.Ordinal)
    {
        "event.eventType", "event.outcome.result", "event.outcome.reason", "event.actor.id", "event.actor.type",
        "event.actor.alternateId", "event.actor.displayName", "event.debugData.changedAttributes",
    };

    private static readonly HashSet<string> TargetFields = new(StringComparer.Ordinal) { "id", "type", "alternateId", "displayName" };

    private readonly Node _root;
    private HookFilterExpression(Node root) => _root = root;

    public static HookFilterExpression Parse(string text)
    {
        var p = new Parser(text);
        var node = p.ParseOr(inSelection: false);
        p.SkipWs();
        if (!p.AtEnd) throw new HookFilterException($"Unexpected input at position {p.Pos}");
        return new HookFilterExpression(node);
    }

    public bool Matches(JsonObject logEvent) => _root.Eval(logEvent, null) is true;

    private abstract class Node
    {
        /// <summary>Evaluates against the event (or, inside ?[ ], the current target element).</summary>
        public abstract object? Eval(JsonObject ev, JsonObject? element);
    }

    private sealed class Literal(object? value) : Node
    {
        public override object? Eval(JsonObject ev, JsonObject? element) => value;
    }

    private sealed class Field(string[] path) : Node
    {
        public override object? Eval(JsonObject ev, JsonObject? element)
        {
            JsonNode? node = element ?? (JsonNode)ev;
            foreach (var seg in path) node = node is JsonObject o ? o[seg] : null;
            return node is JsonValue v
                ? v.GetValueKind() switch
                {
                    JsonValueKind.String => v.GetValue<string>(),
                    JsonValueKind.Number => v.GetValue<double>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => null,
                }
                : null;
        }
    }

    private sealed class TargetSize(Node condition) : Node
    {
        public override object? Eval(JsonObject ev, JsonObject? element) =>
            (double)(ev["target"] as JsonArray ?? []).OfType<JsonObject>().Count(t => condition.Eval(ev, t) is true);
    }

    private sealed class Unary(Node inner) : Node
    {
        public override object? Eval(JsonObject ev, JsonObject? element) => inner.Eval(ev, element) is not true;
    }

    private sealed class Binary(string op, Node left, Node right) : Node
    {
        public override object? Eval(JsonObject ev, JsonObject? element)
        {
            if (op == "&&") return left.Eval(ev, element) is true && right.Eval(ev, element) is true;
            if (op == "||") return left.Eval(ev, element) is true || right.Eval(ev, element) is true;
            var l = left.Eval(ev, element);
            var r = right.Eval(ev, element);
            return op switch
            {
                "eq" => Equals(l, r),
                "ne" => !Equals(l, r),
                _ when l is double a && r is double b => op switch
                {
                    "gt" => a > b, "lt" => a < b, "ge" => a >= b, "le" => a <= b, _ => false,
                },
                _ when l is string s1 && r is string s2 => op switch
                {
                    "gt" => string.CompareOrdinal(s1, s2) > 0, "lt" => string.CompareOrdinal(s1, s2) < 0,
                    "ge" => string.CompareOrdinal(s1, s2) >= 0, "le" => string.CompareOrdinal(s1, s2) <= 0, _ => false,
                },
                _ => false,
            };
        }
    }

    private sealed class Parser(string s)
    {
        public int Pos;
        public bool AtEnd => Pos >= s.Length;

        public void SkipWs()
        {
            while (Pos < s.Length && char.IsWhiteSpace(s[Pos])) Pos++;
        }

        private bool Take(string token)
        {
            SkipWs();
            if (string.CompareOrdinal(s, Pos, token, 0, token.Length) != 0) return false;
            // word operators must not be a prefix of an identifier
            if (char.IsLetter(token[0]) && Pos + token.Length < s.Length && char.IsLetterOrDigit(s[Pos + token.Length])) return false;
            Pos += token.Length;
            return true;
        }

        public Node ParseOr(bool inSelection)
        {
            var left = ParseAnd(inSelection);
            while (Take("||")) left = new Binary("||", left, ParseAnd(inSelection));
            return left;
        }

        private Node ParseAnd(bool inSelection)
        {
            var left = ParseUnary(inSelection);
            while (Take("&&")) left = new Binary("&&", left, ParseUnary(inSelection));
            return left;
        }

        private Node ParseUnary(bool inSelection)
        {
            if (Take("!")) return new Unary(ParseUnary(inSelection));
            return ParseComparison(inSelection);
        }

        private Node ParseComparison(bool inSelection)
        {
            var left = ParseOperand(inSelection);
            string[][] ops = [["==", "eq"], ["!=", "ne"], [">=", "ge"], ["<=", "le"], [">", "gt"], ["<", "lt"],
                ["eq", "eq"], ["ne", "ne"], ["ge", "ge"], ["le", "le"], ["gt", "gt"], ["lt", "lt"]];
            foreach (var op in ops)
                if (Take(op[0])) return new Binary(op[1], left, ParseOperand(inSelection));
            return left;
        }

        private Node ParseOperand(bool inSelection)
        {
            SkipWs();
            if (AtEnd) throw new HookFilterException("Unexpected end of expression");
            var c = s[Pos];
            if (c == '(')
            {
                Pos++;
                var inner = ParseOr(inSelection);
                if (!Take(")")) throw new HookFilterException("Missing ')'");
                return inner;
            }
            if (c == '\'' || c == '"')
            {
                var end = s.IndexOf(c, Pos + 1);
                if (end < 0) throw new HookFilterException("Unterminated string literal");
                var value = s[(Pos + 1)..end];
                Pos = end + 1;
                return new Literal(value);
            }
            if (char.IsDigit(c) || c == '-')
            {
                var start = Pos++;
                while (Pos < s.Length && (char.IsDigit(s[Pos]) || s[Pos] == '.')) Pos++;
                if (!double.TryParse(s[start..Pos], NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    throw new HookFilterException($"Invalid number '{s[start..Pos]}'");
                return new Literal(d);
            }
            var ident = ReadPath();
            switch (ident)
            {
                case "true": return new Literal(true);
                case "false": return new Literal(false);
                case "null": return new Literal(null);
            }
            if (inSelection)
            {
                if (!TargetFields.Contains(ident))
                    throw new HookFilterException($"Unsupported target field '{ident}'");
                return new Field([ident]);
            }
            if (ident == "event.target")
            {
                if (!Take(".?[")) throw new HookFilterException("event.target must be used as event.target.?[ … ].size()");
                var condition = ParseOr(inSelection: true);
                if (!Take("]")) throw new HookFilterException("Missing ']'");
                if (!Take(".size()")) throw new HookFilterException("A target selection must end with .size()");
                return new TargetSize(condition);
            }
            if (!ScalarFields.Contains(ident)) throw new HookFilterException($"Unsupported filter field '{ident}'");
            var path = ident.Split('.')[1..];
            if (path[0] == "debugData") path = ["debugContext", .. path];
            return new Field(path);
        }

        private string ReadPath()
        {
            var start = Pos;
            while (Pos < s.Length && (char.IsLetterOrDigit(s[Pos]) || s[Pos] == '_' ||
                   (s[Pos] == '.' && Pos + 1 < s.Length && char.IsLetter(s[Pos + 1]))))
                Pos++;
            if (Pos == start) throw new HookFilterException($"Unexpected character '{s[Pos]}' at position {Pos}");
            return s[start..Pos];
        }
    }
}
