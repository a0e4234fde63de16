using System.Globalization;
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
    public override string Name => name;

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        var value = parameter.Expand(transaction);
        var matched = name switch
        {
            "streq" => string.Equals(input, value, StringComparison.Ordinal),
            "beginsWith" => input.StartsWith(value, StringComparison.Ordinal),
            "endsWith" => input.EndsWith(value, StringComparison.Ordinal),
            "contains" => input.Contains(value, StringComparison.Ordinal),
            "within" => value.Contains(input, StringComparison.Ordinal),
            "containsWord" => ContainsWord(input, value),
            "strmatch" => input.Contains(value, StringComparison.Ordinal),
            _ => NumericCompare(name, ToInt(input), ToInt(value)),
        };
        if (matched && capture)
        {
            transaction.SetCapture(0, name == "within" ? input : value);
        }

        return matched;
    }

    private static bool NumericCompare(string name, long left, long right) => name switch
    {
        "eq" => left == right,
        "ge" => left >= right,
        "gt" => left > right,
        "lt" => left < right,
        "le" => left <= right,
        _ => false,
    };

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
        if (end < span.Length && (span[end] == '-' || span[end] == '+'))
        {
            end++;
        }

        while (end < span.Length && char.IsAsciiDigit(span[end]) && end < 18)
        {
            end++;
        }

        return long.TryParse(span[..end], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
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
