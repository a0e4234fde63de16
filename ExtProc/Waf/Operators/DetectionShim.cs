namespace EnvoyGovern.ExtProc.Waf.Operators;

// TEMPORARY: stands in for EnvoyGovern.ExtProc.Waf.Detection (SqlInjectionDetector, XssDetector), which
// another branch delivers with the same signatures. At merge, delete this file and switch the two calls
// in DetectionOperators.cs to the Detection classes. A crude keyword heuristic, not libinjection.
internal static class DetectionShim
{
    private static readonly string[] SqlSignals = ["' or ", "\" or ", " union ", "select ", "1=1", "'--", "' --", "sleep(", "benchmark(", "';", "or 1", "and 1"];
    private static readonly string[] XssSignals = ["<script", "javascript:", "onerror=", "onload=", "<iframe", "<svg", "<img", "alert(", "onmouseover"];

    public static bool IsSqlInjection(ReadOnlySpan<char> input, out string fingerprint)
    {
        fingerprint = string.Empty;
        foreach (var signal in SqlSignals)
        {
            if (input.Contains(signal, StringComparison.OrdinalIgnoreCase))
            {
                fingerprint = "shim";
                return true;
            }
        }

        return false;
    }

    public static bool IsXss(ReadOnlySpan<char> input)
    {
        foreach (var signal in XssSignals)
        {
            if (input.Contains(signal, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
