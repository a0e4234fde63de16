using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;

namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>
/// envoy-mtls.yaml: envoy.yaml with mutual TLS, DNS discovery and gRPC health checks towards the governance
/// services, and nothing else changed.
/// </summary>
public sealed class EnvoyMtlsBootstrapTests
{
    private static readonly Lazy<Bootstrap> _mtls = new(() => Parse(RepoPaths.EnvoyMtlsYaml));

    public static TheoryData<string> Bootstraps => [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "envoy-config"), "envoy*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Bootstraps))]
    public void ValidateBootstrap_EveryBootstrapInEnvoyConfig_HasNoErrors(string file)
    {
        var errors = EnvoyYamlValidator.ValidateBootstrap(Path.Combine(RepoPaths.Root, "envoy-config", file));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [InlineData("envoy_govern_extauthz", 9001u, "envoy-govern-extauthz.envoy-govern.svc.cluster.local", "envoy.service.auth.v3.Authorization")]
    [InlineData("envoy_govern_extproc", 9002u, "envoy-govern-extproc.envoy-govern.svc.cluster.local", "envoy.service.ext_proc.v3.ExternalProcessor")]
    public void GovernanceClusters_MutualTlsToTheChartsServices(string name, uint port, string host, string grpcService)
    {
        var cluster = _mtls.Value.StaticResources.Clusters.Single(c => c.Name == name);
        var tls = cluster.TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
        var address = cluster.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress;

        Assert.Equal(Cluster.Types.DiscoveryType.StrictDns, cluster.Type);
        Assert.Equal((host, port), (address.Address, address.PortValue));
        Assert.Equal(host, tls.Sni);
        Assert.Equal(["h2"], tls.CommonTlsContext.AlpnProtocols);
        var certificate = tls.CommonTlsContext.TlsCertificates.Single();
        Assert.False(string.IsNullOrEmpty(certificate.CertificateChain.Filename));
        Assert.False(string.IsNullOrEmpty(certificate.PrivateKey.Filename));
        var validation = tls.CommonTlsContext.ValidationContext;
        Assert.False(string.IsNullOrEmpty(validation.TrustedCa.Filename));
        Assert.Equal(host, validation.MatchTypedSubjectAltNames.Single().Matcher.Exact);
        Assert.Equal(grpcService, cluster.HealthChecks.Single().GrpcHealthCheck.ServiceName);
    }

    [Fact]
    public void Bootstrap_ApartFromGovernanceClusters_IsEnvoyYaml()
    {
        var plain = GovernBootstrap.Instance.Bootstrap.Clone();
        var mtls = _mtls.Value.Clone();
        foreach (var bootstrap in new[] { plain, mtls })
        {
            var governance = bootstrap.StaticResources.Clusters.Where(c => c.Name.StartsWith("envoy_govern_", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, governance.Count);
            governance.ForEach(c => bootstrap.StaticResources.Clusters.Remove(c));
        }

        Assert.Equal(plain, mtls);
    }

    [Theory]
    [InlineData("san_type: DNS", "san_type: DNSNAME", "'DNSNAME' is not a value")]
    [InlineData("tls_minimum_protocol_version: TLSv1_2", "tls_minimum_protocol_version: TLS1_2", "'TLS1_2' is not a value")]
    [InlineData("grpc_health_check:", "grpc_healthcheck:", "unknown field")]
    public void ValidateBootstrap_BrokenCopyOfMtlsYaml_Fails(string from, string to, string expected)
    {
        Assert.Contains(BrokenCopy.ValidateBootstrap(RepoPaths.EnvoyMtlsYaml, from, to), e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static Bootstrap Parse(string path)
    {
        var result = EnvoyYamlValidator.ParseBootstrapFile(path);
        return result.Message ?? throw new InvalidOperationException(string.Join(Environment.NewLine, result.Errors));
    }
}
