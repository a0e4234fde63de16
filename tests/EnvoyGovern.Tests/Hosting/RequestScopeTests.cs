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

    public static TheoryData<string, string[], bool> Settings => new()
    {
        { "ExtAuthz", ["--Logging:MinimumLevel=Verbose"], false },
        { "ExtProc", [], false },
        { "ExtAuthz", ["--Logging:RequestScope=true"], true },
        { "ExtProc", ["--Logging:RequestScope=true"], true },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task Build_RequestScopeSetting_DecidesPerCallScope(string service, string[] args, bool expected)
    {
        await using var app = service == "ExtAuthz" ? ExtAuthzApp.Build(args) : ExtProcApp.Build(args);

        var enabled = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostingDiagnostics).IsEnabled(LogLevel.Critical);

        Assert.Equal(expected, enabled);
    }

    [Fact]
    public async Task Build_Default_OtherFrameworkWarningsStillLogged()
    {
        await using var app = ExtAuthzApp.Build([]);

        var kestrel = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel");

        Assert.True(kestrel.IsEnabled(LogLevel.Warning));
    }
}
