using System.Globalization;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>Compares an observed decision with a test's expectation; each difference is one sentence.</summary>
internal static class ExpectationMatcher
{
    /// <summary>The value of an expected header that asks only for its presence.</summary>
    public const string AnyValue = "*";

    public static IReadOnlyList<string> Differences(TestExpectation expect, ObservedDecision actual)
    {
        var differences = new List<string>();
        if (expect.Decision != actual.Decision)
        {
            // A different decision makes the finer checks noise: say what happened instead.
            differences.Add($"expected {expect.Decision}, got {Summary(actual)}");
            return differences;
        }

        if (expect.Status is { } status && status != actual.Status)
        {
            differences.Add($"expected status {status}, got {Summary(actual)}");
        }

        if (expect.Reason is { } reason && reason != actual.Reason)
        {
            differences.Add($"expected reason {reason}, got {Summary(actual)}");
        }

        foreach (var (name, wanted) in expect.Headers)
        {
            var value = actual.Header(name);
            if (wanted is null && value is not null)
            {
                differences.Add($"expected no header {name}, got {name}: {value}");
            }
            else if (wanted is not null && value is null)
            {
                differences.Add($"expected header {name}: {wanted}, got none");
            }
            else if (wanted is not null and not AnyValue && wanted != value)
            {
                differences.Add($"expected header {name}: {wanted}, got {name}: {value}");
            }
        }

        return differences;
    }

    /// <summary><c>allow</c> or <c>deny 403 no_matching_rule</c>.</summary>
    public static string Summary(ObservedDecision actual) => actual.Decision == "allow"
        ? "allow"
        : string.Create(CultureInfo.InvariantCulture, $"deny {actual.Status} {actual.Reason}");
}
