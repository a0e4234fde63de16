namespace EnvoyGovern.Governance.Hosting;

/// <summary>Which listener a connection arrived on. Kestrel names them <c>Grpc</c> and <c>Admin</c>.</summary>
internal enum EndpointKind
{
    Unknown = 0,
    Grpc,
    Admin,
}
