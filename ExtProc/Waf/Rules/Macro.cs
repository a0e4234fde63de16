using System.Text;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary>
/// Text with <c>%{VARIABLE}</c> or <c>%{collection.key}</c> references, parsed once at load and expanded
/// per transaction (msg, logdata, setvar values, operator parameters).
/// </summary>
internal sealed class Macro
{
    private readonly Part[] _parts;

    private Macro(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>True when there is nothing to expand.</summary>
    public bool IsLiteral => _parts.Length == 0;

    public static Macro Parse(string text)
    {
        if (!text.Contains("%{", StringComparison.Ordinal))
        {
            return new Macro(text, []);
        }

        var parts = new List<Part>();
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("%{", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf('}', start + 2);
            if (start < 0 || end < 0)
            {
                parts.Add(new Part(text[i..], null, null, null));
                break;
            }

            if (start > i)
            {
                parts.Add(new Part(text[i..start], null, null, null));
            }

            var reference = text[(start + 2)..end];
            var dot = reference.IndexOfAny(['.', ':']);
            var name = dot < 0 ? reference : reference[..dot];
            var key = dot < 0 ? null : reference[(dot + 1)..];
            if (Variables.TryParse(name, out var variable, out var flag))
            {
                parts.Add(new Part(null, variable, key ?? flag, reference));
            }
            else
            {
                parts.Add(new Part(text[start..(end + 1)], null, null, null));
            }

            i = end + 1;
        }

        return new Macro(text, [.. parts]);
    }

    public string Expand(WafTransaction transaction)
    {
        if (_parts.Length == 0)
        {
            return Text;
        }

        if (_parts.Length == 1 && _parts[0].Variable is { } only)
        {
            return transaction.ResolveFirst(only, _parts[0].Key);
        }

        var builder = new StringBuilder();
        foreach (var part in _parts)
        {
            builder.Append(part.Variable is { } variable ? transaction.ResolveFirst(variable, part.Key) : part.Literal);
        }

        return builder.ToString();
    }

    private readonly record struct Part(string? Literal, Variable? Variable, string? Key, string? Reference);
}
