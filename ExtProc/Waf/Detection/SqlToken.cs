namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// One SQL token as a slice of the input. The type is the fingerprint character (see
/// <see cref="SqlTokenType"/>), so a fingerprint is just the types of the folded tokens in a row.
/// </summary>
internal struct SqlToken
{
    public char Type;
    public int Start;
    public int Length;

    /// <summary>For strings: the quote that opened it, or '\0' when the quote context opened it.</summary>
    public char OpenQuote;

    /// <summary>For strings: the quote that closed it, or '\0' when the input ended first.</summary>
    public char CloseQuote;

    /// <summary>For functions: one attackers use to probe or exfiltrate (sleep, benchmark, load_file...).</summary>
    public bool Dangerous;

    public readonly ReadOnlySpan<char> Text(ReadOnlySpan<char> input) => input.Slice(Start, Length);
}

/// <summary>Token types; each is the character it contributes to a fingerprint.</summary>
internal static class SqlTokenType
{
    public const char None = '\0';
    public const char Keyword = 'k';
    public const char Union = 'U';
    public const char Group = 'B';
    public const char Expression = 'E';
    public const char Function = 'f';
    public const char Bareword = 'n';
    public const char Number = '1';
    public const char Variable = 'v';
    public const char String = 's';
    public const char Operator = 'o';
    public const char Logic = '&';
    public const char Comment = 'c';
    public const char LeftParen = '(';
    public const char RightParen = ')';
    public const char LeftBrace = '{';
    public const char RightBrace = '}';
    public const char Dot = '.';
    public const char Comma = ',';
    public const char Colon = ':';
    public const char Semicolon = ';';
    public const char TSql = 'T';
    public const char Backslash = '\\';

    /// <summary>Constructs no benign input has: nested or MySQL-conditional comments.</summary>
    public const char Evil = 'X';
}
