namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// The <c>@detectSQLi</c> operator: tokenizes the value as SQL, as if it were pasted into a query
/// bare, after a single quote and after a double quote, folds the tokens to a short fingerprint and
/// reports it when its shape is an injection (see <c>SqlShapes</c>). Linear in the input, no
/// allocation unless it reports (the fingerprint string).
/// </summary>
public static class SqlInjectionDetector
{
    /// <summary>True when <paramref name="input"/> is a SQL injection.</summary>
    /// <param name="input">The value, one char per byte (Latin-1), after the rule's transformations.</param>
    /// <param name="fingerprint">The matching fingerprint (token types such as <c>s&amp;sos</c>), or empty.</param>
    public static bool IsSqlInjection(ReadOnlySpan<char> input, out string fingerprint)
    {
        fingerprint = string.Empty;
        if (input.IsEmpty)
        {
            return false;
        }

        Span<SqlToken> folded = stackalloc SqlToken[SqlFolder.MaxTokens + 1];
        var comments = input.Contains("--", StringComparison.Ordinal) || input.Contains('#');
        return Try(input, '\0', mySql: false, folded, ref fingerprint)
            || (comments && Try(input, '\0', mySql: true, folded, ref fingerprint))
            || (input.Contains('\'') && (Try(input, '\'', mySql: false, folded, ref fingerprint)
                || (comments && Try(input, '\'', mySql: true, folded, ref fingerprint))))
            || (input.Contains('"') && Try(input, '"', mySql: true, folded, ref fingerprint));
    }

    private static bool Try(ReadOnlySpan<char> input, char quoteContext, bool mySql, Span<SqlToken> folded, ref string fingerprint)
    {
        var tokenizer = new SqlTokenizer(input, quoteContext, mySql);
        var n = SqlFolder.Fold(input, ref tokenizer, folded, out var lastRaw);
        if (n == 0)
        {
            return false;
        }

        if (!SqlShapes.IsInjection(input, folded[..n], quoteContext, ref tokenizer, lastRaw))
        {
            return false;
        }

        fingerprint = Fingerprint(folded[..Math.Min(n, SqlFolder.MaxTokens)]);
        return true;
    }

    // Apart from Try, which runs for every value: the JIT optimizes a method with both a loop and a stackalloc once,
    // without profile data.
    private static string Fingerprint(ReadOnlySpan<SqlToken> tokens)
    {
        Span<char> types = stackalloc char[SqlFolder.MaxTokens];
        for (var i = 0; i < tokens.Length; i++)
        {
            types[i] = tokens[i].Type;
        }

        return new string(types[..tokens.Length]);
    }
}
