namespace EnvoyGovern.Conformance;

/// <summary>
/// One answer (or part of one) that Envoy would reject, ignore or misread.
/// </summary>
/// <param name="Rule">A stable rule id, e.g. <c>HVO_APPEND_MISSING</c>; tests match on it.</param>
/// <param name="Detail">What was wrong and what Envoy does with it.</param>
public sealed record ConformanceViolation(string Rule, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"{Rule}: {Detail}";
}
