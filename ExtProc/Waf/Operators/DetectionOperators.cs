using EnvoyGovern.ExtProc.Waf.Detection;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary><c>@detectSQLi</c>: libinjection-style SQL injection detection; captures the fingerprint in TX.0.</summary>
internal sealed class DetectSqliOperator : WafOperator
{
    public override string Name => "detectSQLi";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        if (!SqlInjectionDetector.IsSqlInjection(input, out var fingerprint))
        {
            return false;
        }

        if (capture)
        {
            transaction.SetCapture(0, fingerprint);
        }

        return true;
    }
}

/// <summary><c>@detectXSS</c>: libinjection-style cross-site scripting detection.</summary>
internal sealed class DetectXssOperator : WafOperator
{
    public DetectXssOperator()
    {
        // Why a value holding neither '<' nor '=' cannot match (XssDetector, HtmlScanner): the text context reports
        // only from a tag, a comment or a doctype, each found after a '<' (ScanData starts with IndexOf('<')); the
        // attribute-value contexts report only through ScanAttributes, which outside a tag judges an attribute only
        // when its name is followed by '=' (a loading tag's attributes are reached through ScanData, after a '<'),
        // or through ScanData again. So the gate (a cached char-mask test, list-wide in the engine) asks for one of
        // the two; a value with a non-ASCII char passes every gate. DetectionGateTests checks it over the CRS corpus.
        Gate = CharGate.For(["<", "="], ignoreCase: false);
    }

    public override string Name => "detectXSS";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture) => XssDetector.IsXss(input);

    internal override bool MatchesUnfiltered(string input) => XssDetector.IsXss(input);
}
