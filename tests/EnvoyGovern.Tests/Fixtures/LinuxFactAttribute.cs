namespace EnvoyGovern.Tests.Fixtures;

/// <summary>A fact that needs Linux (signals through libc); skipped with that reason elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux: the test delivers SIGTERM with libc kill(2).";
        }
    }
}
