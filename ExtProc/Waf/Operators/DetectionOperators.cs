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
    public override string Name => "detectXSS";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture) => XssDetector.IsXss(input);
}
