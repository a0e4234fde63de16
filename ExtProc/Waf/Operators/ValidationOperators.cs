using System.Globalization;
using System.Net;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary><c>@validateByteRange 1-255,9</c>: matches when a byte is outside the ranges.</summary>
internal sealed class ValidateByteRangeOperator : WafOperator
{
    private readonly bool[] _allowed = new bool[256];

    public ValidateByteRangeOperator(string parameter)
    {
        foreach (var item in parameter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            var from = int.Parse(dash < 0 ? item : item[..dash], CultureInfo.InvariantCulture);
            var to = dash < 0 ? from : int.Parse(item[(dash + 1)..], CultureInfo.InvariantCulture);
            if (from < 0 || to > 255 || from > to)
            {
                throw new FormatException($"byte range '{item}' is outside 0-255");
            }

            for (var b = from; b <= to; b++)
            {
                _allowed[b] = true;
            }
        }
    }

    public override string Name => "validateByteRange";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        foreach (var c in input)
        {
            if (c > 255 || !_allowed[c])
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>@validateUrlEncoding</c>: matches a <c>%</c> not followed by two hex digits.</summary>
internal sealed class ValidateUrlEncodingOperator : WafOperator
{
    public override string Name => "validateUrlEncoding";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '%')
            {
                continue;
            }

            if (i + 2 >= input.Length || !char.IsAsciiHexDigit(input[i + 1]) || !char.IsAsciiHexDigit(input[i + 2]))
            {
                return true;
            }

            i += 2;
        }

        return false;
    }
}

/// <summary><c>@validateUtf8Encoding</c>: matches truncated, invalid, overlong or out-of-range UTF-8 (bytes as chars).</summary>
internal sealed class ValidateUtf8Operator : WafOperator
{
    public override string Name => "validateUtf8Encoding";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture) => !IsValid(input);

    public static bool IsValid(string input)
    {
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c > 0xff)
            {
                return false;
            }

            int length;
            int min;
            int codePoint;
            if (c < 0x80)
            {
                i++;
                continue;
            }
            else if ((c & 0xe0) == 0xc0)
            {
                (length, min, codePoint) = (2, 0x80, c & 0x1f);
            }
            else if ((c & 0xf0) == 0xe0)
            {
                (length, min, codePoint) = (3, 0x800, c & 0x0f);
            }
            else if ((c & 0xf8) == 0xf0)
            {
                (length, min, codePoint) = (4, 0x10000, c & 0x07);
            }
            else
            {
                return false;
            }

            if (i + length > input.Length)
            {
                return false;
            }

            for (var k = 1; k < length; k++)
            {
                var continuation = input[i + k];
                if ((continuation & 0xc0) != 0x80 || continuation > 0xff)
                {
                    return false;
                }

                codePoint = (codePoint << 6) | (continuation & 0x3f);
            }

            if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
            {
                return false;
            }

            i += length;
        }

        return true;
    }
}

/// <summary><c>@ipMatch</c>: addresses and CIDR networks, IPv4 and IPv6.</summary>
internal sealed class IpMatchOperator : WafOperator
{
    private readonly IPNetwork[] _networks;

    public IpMatchOperator(IEnumerable<string> items)
    {
        var networks = new List<IPNetwork>();
        foreach (var item in items)
        {
            if (item.Contains('/', StringComparison.Ordinal))
            {
                networks.Add(IPNetwork.Parse(item));
            }
            else
            {
                var address = IPAddress.Parse(item);
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
        }

        _networks = [.. networks];
    }

    public override string Name => "ipMatch";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        if (!IPAddress.TryParse(input, out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
