using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtProc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Tests.Hosting;

/// <summary>
/// ASP.NET Core's hosting gives every call a request Activity and log scope exactly when this category can log
/// (bench/README.md, fifth pass): off by default, on with <c>Logging:RequestScope=true</c>.
/// </summary>
public sealed class RequestScopeTests
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task ExtAuthz_Default_NoPerCallRequestScope()
    {
        await using var app = ExtAuthzApp.Build(["--Logging:MinimumLevel=Verbose"]);

        Assert.False(HostingDiagnosticsEnabled(app.Services));
    }

    [Fact]
    public async Task ExtProc_Default_NoPerCallRequestScope()
    {
        await using var app = ExtProcApp.Build([]);

        Assert.False(HostingDiagnosticsEnabled(app.Services));
    }

    [Fact]
    public async Task ExtAuthz_RequestScopeTrue_PerCallRequestScope()
    {
        await using var app = ExtAuthzApp.Build(["--Logging:RequestScope=true"]);

        Assert.True(HostingDiagnosticsEnabled(app.Services));
    }

    [Fact]
    public async Task ExtAuthz_Default_OtherFrameworkWarningsStillLogged()
    {
        await using var app = ExtAuthzApp.Build([]);

        var kestrel = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel");
        Assert.True(kestrel.IsEnabled(LogLevel.Warning));
    }

    // The test hosting applies: HostingApplicationDiagnostics creates the Activity and the scope when this is true.
    private static bool HostingDiagnosticsEnabled(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(HostingDiagnostics).IsEnabled(LogLevel.Critical);
}
