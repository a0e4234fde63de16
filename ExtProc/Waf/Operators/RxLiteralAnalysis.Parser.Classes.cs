using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>The pattern pass's character classes and escapes.</summary>
internal static partial class RxLiteralAnalysis
{
    private sealed partial class Parser
    {
        private Info Class(bool ic)
        {
            _i++;
            var negated = _i < p.Length && p[_i] == '^';
            if (negated)
            {
                _i++;
            }

            var chars = new HashSet<char>();
            var unknown = negated;
            var first = true;
            while (true)
            {
                if (_i >= p.Length)
                {
                    throw new GiveUpException();
                }

                if (p[_i] == ']' && !first)
                {
                    _i++;
                    break;
                }

                first = false;
                if (p[_i] == '-' && _i + 1 < p.Length && p[_i + 1] == '[')
                {
                    throw new GiveUpException();
                }

                if (AsciiShorthand() is { } shorthand)
                {
                    chars.UnionWith(shorthand);
                    continue;
                }

                var low = ClassChar();
                if (_i + 1 < p.Length && p[_i] == '-' && p[_i + 1] != ']')
                {
                    _i++;
                    var high = ClassChar();
                    if (low is null || high is null || high.Value - low.Value > 255)
                    {
                        unknown = true;
                        continue;
                    }

                    for (var c = low.Value; c <= high.Value; c++)
                    {
                        chars.Add(c);
                    }

                    continue;
                }

                if (low is null)
                {
                    unknown = true;
                }
                else
                {
                    chars.Add(low.Value);
                }
            }

            if (!unknown && chars.RemoveWhere(IsAbsent) > 0 && chars.Count == 0)
            {
                return Info.Never;
            }

            if (unknown || chars.Count > MaxClassChars || (ic && chars.Any(c => c > '\x7F')))
            {
                return Info.Unknown;
            }

            return Info.Of(new Literals([.. chars.Select(c => c.ToString())], ic && chars.Any(char.IsAsciiLetter)));
        }

        // True for a char the value cannot hold (never a letter or digit: ignoring case changes nothing).
        private bool IsAbsent(char c)
        {
            if (c >= 128 || !absent.Overlaps(CharMask.Single(c)))
            {
                return false;
            }

            Used = Used.Union(CharMask.Single(c));
            return true;
        }

        // In a value without the absent chars (so ASCII only), \s and \d in a class are these chars; null elsewhere.
        private string? AsciiShorthand()
        {
            if (absent.IsNone || p[_i] != '\\' || _i + 2 >= p.Length || p[_i + 2] == '-')
            {
                return null;
            }

            return p[_i + 1] switch
            {
                's' => Advance(2, "\t\n\v\f\r "),
                'd' => Advance(2, "0123456789"),
                _ => null,
            };
        }

        private string Advance(int chars, string result)
        {
            _i += chars;
            return result;
        }

        // One char of a class; null for a shorthand class (\d, \w, \p{..} ...).
        private char? ClassChar()
        {
            var c = p[_i++];
            if (c != '\\')
            {
                return c;
            }

            var e = p[_i++];
            switch (e)
            {
                case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    return null;
                case 'p' or 'P':
                    SkipBraces();
                    return null;
                case 'b':
                    return '\b';
                default:
                    return EscapedChar(e);
            }
        }

        private Info Escape(bool ic)
        {
            _i++;
            var e = p[_i++];
            switch (e)
            {
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G' or 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    return Info.Unknown;
                case 'p' or 'P':
                    SkipBraces();
                    return Info.Unknown;
                case 'k':
                    SkipGroupName(p[_i] == '<' ? '>' : '\'');
                    return Info.Unknown;
                case >= '1' and <= '9':
                    while (_i < p.Length && char.IsAsciiDigit(p[_i]))
                    {
                        _i++;
                    }

                    return Info.Unknown;
                default:
                    return Literal(EscapedChar(e), ic);
            }
        }

        // The char an escape (after the backslash) stands for; letters .NET does not know abandon the analysis.
        private char EscapedChar(char e)
        {
            switch (e)
            {
                case 't':
                    return '\t';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 'f':
                    return '\f';
                case 'v':
                    return '\v';
                case 'e':
                    return '\x1B';
                case 'a':
                    return '\a';
                case 'x':
                    return Hex(2);
                case 'u':
                    return Hex(4);
                case 'c':
                    return (char)(p[_i++] & 0x1F);
                case '0':
                    var value = 0;
                    for (var n = 0; n < 2 && _i < p.Length && p[_i] is >= '0' and <= '7'; n++)
                    {
                        value = (value * 8) + (p[_i++] - '0');
                    }

                    return (char)value;
                default:
                    return char.IsAsciiLetterOrDigit(e) ? throw new GiveUpException() : e;
            }
        }

        private char Hex(int digits)
        {
            if (_i + digits > p.Length || !int.TryParse(p.AsSpan(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                throw new GiveUpException();
            }

            _i += digits;
            return (char)value;
        }

        private void SkipBraces()
        {
            if (_i >= p.Length || p[_i] != '{' || p.IndexOf('}', _i) is not (var close and >= 0))
            {
                throw new GiveUpException();
            }

            _i = close + 1;
        }
    }
}
