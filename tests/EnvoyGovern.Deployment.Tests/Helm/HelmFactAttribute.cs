namespace EnvoyGovern.Deployment.Tests.Helm;

/// <summary>
/// A fact that needs the helm binary (<see cref="HelmCli"/>). Skipped with that reason when it is not installed,
/// except under <c>CI=true</c>: there the test runs and fails, so CI cannot pass with the chart unchecked.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute()
    {
        Skip = HelmSkip.Reason;
    }
}

/// <summary>The theory form of <see cref="HelmFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class HelmTheoryAttribute : TheoryAttribute
{
    public HelmTheoryAttribute()
    {
        Skip = HelmSkip.Reason;
    }
}

internal static class HelmSkip
{
    public static string? Reason => HelmCli.Binary is null && !HelmCli.IsCi
        ? $"Needs helm: run helm/tools/install.sh or set {HelmCli.Variable} (.ci/run installs it; under CI=true these tests run and fail instead)."
        : null;
}
