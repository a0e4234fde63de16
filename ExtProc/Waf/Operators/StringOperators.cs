using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary><c>@pm</c> and <c>@pmFromFile</c>: ASCII case-insensitive, as the phrase search compares.</summary>
internal sealed class PmOperator : WafOperator
{
    private readonly string _name;
    private readonly AhoCorasick _phrases;

    public PmOperator(string name, IReadOnlyCollection<string> phrases)
    {
        _name = name;
        _phrases = new AhoCorasick(phrases);
        Gate = CharGate.For(phrases.Where(p => p.Length > 0), ignoreCase: true);
    }

    public override string Name => _name;

    internal override bool MatchesUnfiltered(string input) => _phrases.Find(input, out _) >= 0;

    public override string ToString() => $"@{_name} ({_phrases.PhraseCount} phrases)";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        var at = _phrases.Find(input, out var length);
        if (at < 0)
        {
            return false;
        }

        if (capture)
        {
            transaction.SetCapture(0, input.Substring(at, length));
        }

        return true;
    }
}

/// <summary>The string comparisons, whose parameter may hold macros.</summary>
internal sealed class CompareOperator(string name, Macro parameter) : WafOperator
{
    private enum Kind
    {
        StrEq,
        BeginsWith,
        EndsWith,
        Contains,
        Within,
        ContainsWord,
        Eq,
        Ge,
        Gt,
        Lt,
        Le,
        Never,
    }

    // The CRS runs hundreds of these per request (the paranoia-level skips, the score checks): the name is resolved
    // once here, not per evaluation.
    private readonly Kind _kind = name switch
    {
        "streq" => Kind.StrEq,
        "beginsWith" => Kind.BeginsWith,
        "endsWith" => Kind.EndsWith,
        "contains" or "strmatch" => Kind.Contains,
        "within" => Kind.Within,
        "containsWord" => Kind.ContainsWord,
        "eq" => Kind.Eq,
        "ge" => Kind.Ge,
        "gt" => Kind.Gt,
        "lt" => Kind.Lt,
        "le" => Kind.Le,
        _ => Kind.Never,
    };

    public override string Name => name;

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        var value = parameter.Expand(transaction);
        var matched = _kind switch
        {
            Kind.StrEq => string.Equals(input, value, StringComparison.Ordinal),
            Kind.BeginsWith => input.StartsWith(value, StringComparison.Ordinal),
            Kind.EndsWith => input.EndsWith(value, StringComparison.Ordinal),
            Kind.Contains => input.Contains(value, StringComparison.Ordinal),
            Kind.Within => value.Contains(input, StringComparison.Ordinal),
            Kind.ContainsWord => ContainsWord(input, value),
            Kind.Eq => ToInt(input) == ToInt(value),
            Kind.Ge => ToInt(input) >= ToInt(value),
            Kind.Gt => ToInt(input) > ToInt(value),
            Kind.Lt => ToInt(input) < ToInt(value),
            Kind.Le => ToInt(input) <= ToInt(value),
            _ => false,
        };
        if (matched && capture)
        {
            transaction.SetCapture(0, _kind == Kind.Within ? input : value);
        }

        return matched;
    }

    private static bool ContainsWord(string input, string word)
    {
        if (word.Length == 0)
        {
            return true;
        }

        var at = 0;
        while ((at = input.IndexOf(word, at, StringComparison.Ordinal)) >= 0)
        {
            var before = at == 0 || !char.IsAsciiLetterOrDigit(input[at - 1]) && input[at - 1] != '_';
            var end = at + word.Length;
            var after = end == input.Length || !char.IsAsciiLetterOrDigit(input[end]) && input[end] != '_';
            if (before && after)
            {
                return true;
            }

            at++;
        }

        return false;
    }

    /// <summary>C <c>atoi</c>: leading spaces, a sign, digits; anything else reads as 0.</summary>
    public static long ToInt(string text)
    {
        var span = text.AsSpan().TrimStart();
        var end = 0;
        var negative = false;
        if (end < span.Length && (span[end] == '-' || span[end] == '+'))
        {
            negative = span[end] == '-';
            end++;
        }

        // At most 18 chars with the sign: the value always fits a long.
        var value = 0L;
        while (end < span.Length && char.IsAsciiDigit(span[end]) && end < 18)
        {
            value = (value * 10) + (span[end] - '0');
            end++;
        }

        return negative ? -value : value;
    }
}

/// <summary><c>@unconditionalMatch</c> and <c>@noMatch</c>.</summary>
internal sealed class ConstantOperator(string name, bool result) : WafOperator
{
    public override string Name => name;

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        if (result && capture)
        {
            transaction.SetCapture(0, input);
        }

        return result;
    }
}
