using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration.Memory;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// The Kestrel set-up of a governance process: a gRPC listener (HTTP/2 only) and an admin listener
/// (HTTP/1.1), read from standard Kestrel configuration, each connection tagged with its listener, no
/// <c>Server</c> header, and client-certificate validation when <c>Hosting:ClientCaFile</c> is set. Public so
/// that the load harness's bare baseline server (bench/) listens exactly as the services do.
/// </summary>
public static class GovernanceKestrel
{
    /// <summary>Adds the default endpoints (lowest precedence) and configures Kestrel from them.</summary>
    /// <param name="builder">The application being built.</param>
    /// <param name="service">Supplies the default ports.</param>
    /// <param name="configurationPrefix">
    /// When several services share one process, each reads its endpoints from <c>{prefix}:Kestrel</c>.
    /// </param>
    public static void Configure(WebApplicationBuilder builder, GovernanceService service, string? configurationPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(service);
        var kestrelSection = configurationPrefix is null ? "Kestrel" : $"{configurationPrefix}:Kestrel";
        // Lowest precedence: any appsettings, environment variable or argument overrides these.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [$"{kestrelSection}:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{service.DefaultGrpcPort}",
                [$"{kestrelSection}:Endpoints:Grpc:Protocols"] = "Http2",
                [$"{kestrelSection}:Endpoints:Admin:Url"] = $"http://127.0.0.1:{service.DefaultAdminPort}",
                [$"{kestrelSection}:Endpoints:Admin:Protocols"] = "Http1",
            },
        });

        var clientCaFile = builder.Configuration[$"{HostingOptions.SectionName}:{nameof(HostingOptions.ClientCaFile)}"];
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            // Replaces the default loader so that the named endpoints are tagged; the section is the same.
            kestrel.Configure(context.Configuration.GetSection(kestrelSection), reloadOnChange: false)
                .Endpoint("Grpc", e => EndpointIsolation.Tag(e.ListenOptions, EndpointKind.Grpc))
                .Endpoint("Admin", e => EndpointIsolation.Tag(e.ListenOptions, EndpointKind.Admin));
            if (!string.IsNullOrWhiteSpace(clientCaFile))
            {
                var validator = ClientCertificateTrust.FromPemFile(clientCaFile);
                kestrel.ConfigureHttpsDefaults(https => https.ClientCertificateValidation = validator.Validate);
            }
        });
    }
}
