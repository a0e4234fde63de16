namespace EnvoyGovern.Governance.Hosting;

/// <summary>Describes one of the two services: its name and the ports it listens on by default.</summary>
/// <param name="Name">Short name, used in logs, metrics and configuration (<c>ExtAuthz</c>, <c>ExtProc</c>).</param>
/// <param name="GrpcServiceName">Fully qualified gRPC service that Envoy calls, reported by gRPC health.</param>
/// <param name="DefaultGrpcPort">HTTP/2 port for Envoy's calls.</param>
/// <param name="DefaultAdminPort">HTTP/1.1 port for metrics and probes.</param>
public sealed record GovernanceService(string Name, string GrpcServiceName, int DefaultGrpcPort, int DefaultAdminPort)
{
    /// <summary>The authorization service (ext_authz).</summary>
    public static GovernanceService ExtAuthz { get; } = new("ExtAuthz", "envoy.service.auth.v3.Authorization", 9001, 9101);

    /// <summary>The external processor (ext_proc).</summary>
    public static GovernanceService ExtProc { get; } = new("ExtProc", "envoy.service.ext_proc.v3.ExternalProcessor", 9002, 9102);
}
