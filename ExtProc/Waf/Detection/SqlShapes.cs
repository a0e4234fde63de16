namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// Decides whether a folded token sequence is an injection. Instead of a list of known fingerprints
/// the shapes are written as SQL grammar: a value that ends early (a number, a word, or a string the
/// quote context closed), optionally closing parentheses, then something that only SQL would put
/// there: a UNION SELECT, a logic operator with a comparison, a stacked statement, a comment that
/// cuts the rest of the query, a time-delay call, or an expression that reopens the string.
/// Each shape also states what benign text with the same tokens looks like, and leaves it out.
/// </summary>
internal static class SqlShapes
{
    /// <summary>
    /// <paramref name="t"/> holds the fingerprint's tokens plus, when the input has more, one token
    /// of look-ahead (so "x) and 1=1" is seen whole although its fingerprint stops at "n)&amp;1o").
    /// </summary>
    public static bool IsInjection(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t, char quoteContext, ref SqlTokenizer rest, SqlToken lastRaw)
    {
        var n = t.Length;
        for (var i = 0; i < n; i++)
        {
            if (t[i].Type == SqlTokenType.Evil
                || (t[i].Type == SqlTokenType.Union && (At(t, i + 1) == SqlTokenType.Expression
                    || (At(t, i + 1) == SqlTokenType.LeftParen && At(t, i + 2) == SqlTokenType.Expression))))
            {
                return true;
            }
        }

        if (StartsAsStatement(input, t))
        {
            return true;
        }

        var first = t[0].Type;
        var valueStart = quoteContext == '\0'
            ? first is SqlTokenType.Number or SqlTokenType.Bareword or SqlTokenType.String or SqlTokenType.Variable
            : first == SqlTokenType.String && t[0].OpenQuote == '\0' && t[0].CloseQuote == quoteContext;
        if (!valueStart)
        {
            return false;
        }

        var j = 1;
        while (At(t, j) == SqlTokenType.RightParen)
        {
            j++;
        }

        return At(t, j) switch
        {
            SqlTokenType.Comment => CutsTheQuery(input, t, j, quoteContext) || first == SqlTokenType.Variable,
            SqlTokenType.Logic => IsCondition(input, t, j + 1, quoteContext),
            SqlTokenType.Operator => IsExpression(input, t, j + 1, quoteContext, ref rest, lastRaw),
            SqlTokenType.Semicolon => StartsStatement(input, t, j + 1),
            SqlTokenType.Comma => (At(t, j + 1) == SqlTokenType.LeftParen && At(t, j + 2) == SqlTokenType.Expression)
                || (At(t, j + 1) == SqlTokenType.Function && t[j + 1].Dangerous),
            SqlTokenType.TSql => input[t[j].Start..].StartsWith("waitfor", StringComparison.OrdinalIgnoreCase)
                || input[t[j].Start..].StartsWith("into", StringComparison.OrdinalIgnoreCase)
                || At(t, j + 1) is SqlTokenType.TSql or SqlTokenType.Variable,
            SqlTokenType.Group => At(t, j + 1) == SqlTokenType.Number
                || (At(t, j + 1) == SqlTokenType.Bareword && At(t, j + 2) == SqlTokenType.Comment),
            SqlTokenType.Function => quoteContext != '\0',
            SqlTokenType.Dot => quoteContext != '\0' && At(t, j + 1) == SqlTokenType.Function,
            _ => false,
        };
    }

    private static char At(ReadOnlySpan<SqlToken> t, int i) => i < t.Length ? t[i].Type : SqlTokenType.None;

    private static bool Has(ReadOnlySpan<SqlToken> t, char type)
    {
        foreach (var token in t)
        {
            if (token.Type == type)
            {
                return true;
            }
        }

        return false;
    }

    // After ';': ";drop table", "; exec xp_cmdshell", ";exec('...')", "; sleep(5)", "; if (1=1) waitfor".
    // "1; exec will create the case" stays text.
    private static bool StartsStatement(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t, int k) => At(t, k) switch
    {
        SqlTokenType.Expression => true,
        SqlTokenType.TSql => At(t, k + 1) is SqlTokenType.TSql or SqlTokenType.Variable or SqlTokenType.String
            or SqlTokenType.LeftParen or SqlTokenType.Function,
        SqlTokenType.Function => t[k].Dangerous || t[k].Text(input).Equals("if", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    // "select * from", "select @@version", ";drop table", "waitfor delay '0:0:5'", "sleep(5)",
    // "exec xp_cmdshell", "declare @x". "Select your plan", "Drop - 2 lbs", "Execute order 66" and
    // "execute 'ls' for me" stay text: exec, execute, declare and shutdown are English too.
    private static bool StartsAsStatement(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t)
    {
        var second = At(t, 1);
        switch (t[0].Type)
        {
            case SqlTokenType.Expression:
                return (second == SqlTokenType.Operator && t[1].Text(input) is "*")
                    || second is SqlTokenType.Variable or SqlTokenType.Function
                    || (second == SqlTokenType.LeftParen && At(t, 2) is SqlTokenType.Expression or SqlTokenType.Function)
                    || (second == SqlTokenType.Number && At(t, 2) is SqlTokenType.Comma or SqlTokenType.Keyword
                        or SqlTokenType.Comment or SqlTokenType.Semicolon or SqlTokenType.Union);
            case SqlTokenType.Semicolon:
                return StartsStatement(input, t, 1);
            case SqlTokenType.TSql:
                var word = t[0].Text(input);
                return second is SqlTokenType.Variable or SqlTokenType.Function
                    || Has(t[1..], SqlTokenType.TSql)
                    || word.StartsWith("waitfor", StringComparison.OrdinalIgnoreCase)
                    || word.StartsWith("xp_", StringComparison.OrdinalIgnoreCase)
                    || word.StartsWith("sp_", StringComparison.OrdinalIgnoreCase)
                    || word.StartsWith("open", StringComparison.OrdinalIgnoreCase);
            case SqlTokenType.Function:
                return t[0].Dangerous || (second == SqlTokenType.LeftParen && At(t, 2) == SqlTokenType.Expression);
            default:
                return false;
        }
    }

    // admin'-- and 1/*: the rest of the query is commented out. "foo --" and "foo #" are everyday
    // text, a lone '#' after a closed string is too common in the wild to call, and so is a quoted
    // command-line option ('--verbose') or a PEM line ('-----BEGIN').
    private static bool CutsTheQuery(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t, int j, char quoteContext)
    {
        var text = t[j].Text(input);
        var comment = text[0];
        if (quoteContext != '\0')
        {
            if (j > 1)
            {
                return true;
            }

            return comment == '/' || (comment == '-' && text[2..].IsWhiteSpace());
        }

        return t[0].Type == SqlTokenType.Number && comment == '/';
    }

    // x' or 1=1, 1 and 1=1, ' and sleep(5), ') or (select ...), 1 or @@version, a'or'a, x' or 1;
    // x' or 1= (the query supplies the rest). "x or y" alone, words compared with words
    // ("a and b = c"), "QUIC and HTTP/3" and "work or (ii)" stay text.
    private static bool IsCondition(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t, int k, char quoteContext)
    {
        var operand = At(t, k);
        if (operand is SqlTokenType.Expression or SqlTokenType.Function or SqlTokenType.Variable)
        {
            return true;
        }

        if (operand == SqlTokenType.LeftParen)
        {
            return quoteContext != '\0' || t[0].Type == SqlTokenType.Number
                || At(t, k + 1) is SqlTokenType.Expression or SqlTokenType.Function;
        }

        if (operand is not (SqlTokenType.Number or SqlTokenType.String or SqlTokenType.Bareword))
        {
            return false;
        }

        // a'or'a, not quoted words in prose (use "and" in text, ...," or "Screenplay based on...").
        if (quoteContext != '\0' && ReopensWithWord(input, t[k], quoteContext))
        {
            return true;
        }

        var next = At(t, k + 1);
        if (next == SqlTokenType.Comment)
        {
            return quoteContext != '\0' || t[0].Type != SqlTokenType.Bareword;
        }

        if (next == SqlTokenType.Semicolon)
        {
            return quoteContext != '\0';
        }

        if (next != SqlTokenType.Operator || !IsComparison(t[k + 1].Text(input)))
        {
            return false;
        }

        var right = At(t, k + 2);
        if (right == SqlTokenType.None && k + 2 == t.Length && quoteContext != '\0')
        {
            return true;
        }

        if (right is SqlTokenType.Function or SqlTokenType.LeftParen or SqlTokenType.Variable)
        {
            return true;
        }

        if (right is not (SqlTokenType.Number or SqlTokenType.String or SqlTokenType.Bareword))
        {
            return false;
        }

        var allWords = t[0].Type == SqlTokenType.Bareword && operand == SqlTokenType.Bareword && right == SqlTokenType.Bareword;
        return quoteContext != '\0' || !allWords;
    }

    // =, <, >=, <>, !=, <=>, LIKE, REGEXP, IS NOT...: not arithmetic (folded already or text: HTTP/3).
    private static bool IsComparison(ReadOnlySpan<char> op) =>
        op[0] is '=' or '<' or '>' or '!' || (char.IsAsciiLetter(op[0])
            && !op.Equals("div", StringComparison.OrdinalIgnoreCase) && !op.Equals("mod", StringComparison.OrdinalIgnoreCase));

    // '+sleep(5)+', '||(select ...), " | cmd | " (close the string, add an expression, reopen the
    // string so the trailing quote still parses: the input ends with the quote). The operator joins
    // (| || + & ^): quoted paths ('/usr/bin'), options ("-v"), "Not a ..." or '::1' are text.
    private static bool IsExpression(ReadOnlySpan<char> input, ReadOnlySpan<SqlToken> t, int k, char quoteContext, ref SqlTokenizer rest, SqlToken lastRaw)
    {
        var operand = At(t, k);
        if (quoteContext == '\0')
        {
            return (operand == SqlTokenType.Function && t[k].Dangerous)
                || (operand == SqlTokenType.LeftParen && At(t, k + 1) == SqlTokenType.Expression);
        }

        // X' = 'X' = 0 = '1: chained comparisons (MySQL compares the comparison's result). Markup in
        // quotes ('<h1>Hi</h1>', '==' to '===') compares no values.
        var chained = IsComparison(t[k - 1].Text(input)) && operand is SqlTokenType.String or SqlTokenType.Number
            && At(t, k + 1) == SqlTokenType.Operator && IsComparison(t[k + 1].Text(input))
            && At(t, k + 2) is SqlTokenType.Number or SqlTokenType.String or SqlTokenType.Variable;
        if (chained || operand is SqlTokenType.Function or SqlTokenType.Expression
            || (operand == SqlTokenType.LeftParen && At(t, k + 1) == SqlTokenType.Expression)
            || (operand is SqlTokenType.Number or SqlTokenType.Bareword or SqlTokenType.Variable
                && At(t, k + 1) == SqlTokenType.Comment && input[t[k + 1].Start] != '#'))
        {
            return true;
        }

        if (input[t[k - 1].Start] is not ('|' or '+' or '&' or '^'))
        {
            return false;
        }

        if (ReopensWithWord(input, t[k], quoteContext))
        {
            return true;
        }

        while (rest.Next(out var token))
        {
            lastRaw = token;
        }

        return ReopensString(lastRaw, quoteContext) && input[(lastRaw.Start + 1)..].IsWhiteSpace()
            && operand is SqlTokenType.Number or SqlTokenType.Bareword or SqlTokenType.Variable or SqlTokenType.String
            && t[k].Start != lastRaw.Start;
    }

    // A string opened with the context's quote and never closed: the query's own closing quote ends it.
    private static bool ReopensString(SqlToken token, char quoteContext) =>
        token.Type == SqlTokenType.String && token.OpenQuote == quoteContext && token.CloseQuote == '\0';

    // ...'or'a, ...'+'b: the reopened string is one plain word, as in a query built to stay balanced.
    private static bool ReopensWithWord(ReadOnlySpan<char> input, SqlToken token, char quoteContext)
    {
        if (!ReopensString(token, quoteContext) || token.Length < 2)
        {
            return false;
        }

        foreach (var c in token.Text(input)[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
