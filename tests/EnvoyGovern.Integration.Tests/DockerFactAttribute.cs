namespace EnvoyGovern.Integration.Tests;

/// <summary>
/// A fact that needs a Docker engine. Where none answers, the test is skipped with the reason instead
/// of failing (or hanging) inside Testcontainers.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        // Evaluated once per process (see DockerEngine), so many facts cost one probe.
        Skip = DockerEngine.UnavailableReason;
    }
}
