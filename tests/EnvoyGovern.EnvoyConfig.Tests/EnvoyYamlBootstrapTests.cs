using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Google.Protobuf.WellKnownTypes;
using UpstreamHttpProtocolOptions = Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>The repository's Envoy bootstrap parses strictly and says what the governance design needs.</summary>
public sealed class EnvoyYamlBootstrapTests
{
    private static GovernBootstrap Govern => GovernBootstrap.Instance;

    [Fact]
    public void ValidateBootstrap_RepositoryEnvoyYaml_HasNoErrors()
    {
        var errors = EnvoyYamlValidator.ValidateBootstrap(RepoPaths.EnvoyYaml);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [InlineData("failure_mode_allow: false\n                      message_timeout", "failure_mode_allow: flase\n                      message_timeout",
        ".http_filters[1].typed_config.failure_mode_allow: expects true or false, got string \"flase\"")]
    [InlineData("request_body_mode: NONE", "request_body_mode: FULL_DUPLEX_STREAMED",
        ".http_filters[1].typed_config.processing_mode.request_body_mode: 'FULL_DUPLEX_STREAMED' is not a value")]
    [InlineData("transport_api_version: V3", "transport_api_verison: V3",
        ".http_filters[0].typed_config.transport_api_verison: unknown field in envoy.extensions.filters.http.ext_authz.v3.ExtAuthz")]
    [InlineData("v3.HttpProtocolOptions\n          explicit", "v3.HttpProtocolOption\n          explicit",
        "$.static_resources.clusters[0].typed_extension_protocol_options[\"envoy.extensions.upstreams.http.v3.HttpProtocolOptions\"].@type: unknown type")]
    public void ValidateBootstrap_BrokenCopyOfRepositoryYaml_ReportsPath(string from, string to, string expected)
    {
        // Only the first occurrence changes, so exactly one error is expected.
        var error = Assert.Single(BrokenCopy.ValidateBootstrap(RepoPaths.EnvoyYaml, from, to));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateBootstrap_MissingFile_ReportsIt()
    {
        var errors = EnvoyYamlValidator.ValidateBootstrap(Path.Combine(RepoPaths.Root, "no-such-envoy.yaml"));

        Assert.Contains(errors, e => e.Contains("file not found", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseBootstrapFile_RepositoryEnvoyYaml_UnpacksEveryTypedConfig()
    {
        string[] expected =
        [
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
            "envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation",
            "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
            "envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
            "envoy.extensions.filters.http.router.v3.Router",
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        ];

        Assert.True(Govern.Result.IsValid);
        Assert.Equal(expected.Order(StringComparer.Ordinal), Govern.Result.AnyTypes.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bootstrap_AdminAndListener_BindExpectedAddresses()
    {
        var admin = Govern.Bootstrap.Admin.Address.SocketAddress;
        var listener = Govern.Bootstrap.StaticResources.Listeners.Single().Address.SocketAddress;

        Assert.Equal(("127.0.0.1", 9901u), (admin.Address, admin.PortValue));
        Assert.Equal(("0.0.0.0", 10000u), (listener.Address, listener.PortValue));
    }

    [Fact]
    public void HttpFilters_Order_IsExtAuthzThenExtProcThenRouter()
    {
        var names = Govern.Connection.HttpFilters.Select(f => f.Name);

        Assert.Equal(["envoy.filters.http.ext_authz", "envoy.filters.http.ext_proc", "envoy.filters.http.router"], names);
        Assert.False(string.IsNullOrEmpty(Govern.Connection.StatPrefix));
        Assert.Equal("envoy.access_loggers.stdout", Govern.Connection.AccessLog.Single().Name);
    }

    [Fact]
    public void ExtAuthz_Settings_FailClosedV3AndClearRouteCache()
    {
        var authz = Govern.ExtAuthz;

        Assert.False(authz.FailureModeAllow);
        Assert.Equal(ApiVersion.V3, authz.TransportApiVersion);
        Assert.True(authz.ClearRouteCache);
        Assert.True(authz.IncludePeerCertificate);
        Assert.Equal("envoy_govern_extauthz", authz.GrpcService.EnvoyGrpc.ClusterName);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromMilliseconds(250)), authz.GrpcService.Timeout);
        Assert.Equal(8192u, authz.WithRequestBody.MaxRequestBytes);
        Assert.True(authz.WithRequestBody.AllowPartialMessage);
    }

    [Fact]
    public void ExtProc_Settings_FailClosedHeadersOnly()
    {
        var proc = Govern.ExtProc;
        var mode = proc.ProcessingMode;

        Assert.False(proc.FailureModeAllow);
        Assert.True(proc.AllowModeOverride);
        Assert.Equal("envoy_govern_extproc", proc.GrpcService.EnvoyGrpc.ClusterName);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)), proc.MessageTimeout);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Send, mode.RequestHeaderMode);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Send, mode.ResponseHeaderMode);
        Assert.Equal(ProcessingMode.Types.BodySendMode.None, mode.RequestBodyMode);
        Assert.Equal(ProcessingMode.Types.BodySendMode.None, mode.ResponseBodyMode);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Skip, mode.RequestTrailerMode);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Skip, mode.ResponseTrailerMode);
    }

    [Fact]
    public void ExtProc_RequestAttributes_ProtocolAndClientAddressForTheWaf()
    {
        Assert.Equal(["request.protocol", "source.address"], Govern.ExtProc.RequestAttributes);
    }

    [Fact]
    public void ExtProc_MutationRules_CannotSteerRouting()
    {
        var rules = Govern.ExtProc.MutationRules;

        Assert.False(rules.AllowAllRouting ?? false);
        Assert.False(rules.AllowEnvoy ?? false);
        Assert.Matches(rules.DisallowExpression.Regex, "x-governance-cluster");
    }

    [Fact]
    public void EarlyHeaderMutation_ClientRoutingHeader_IsRemoved()
    {
        var extension = Govern.Connection.EarlyHeaderMutationExtensions.Single();

        Assert.Equal("envoy.http.early_header_mutation.header_mutation", extension.Name);
        Assert.Contains(Govern.EarlyMutation.Mutations, m => m.Remove == "x-governance-cluster");
    }

    [Fact]
    public void Routes_V1Prefix_UsesGovernanceClusterHeader()
    {
        var route = Govern.Routes.Single(r => r.Match.Prefix == "/v1/");

        Assert.Equal("x-governance-cluster", route.Route_.ClusterHeader);
        Assert.Equal(RouteAction.Types.ClusterNotFoundResponseCode.ServiceUnavailable, route.Route_.ClusterNotFoundResponseCode);
        Assert.Contains("x-governance-cluster", route.RequestHeadersToRemove);
    }

    [Fact]
    public void Routes_Default_GoesToStableAfterV1()
    {
        var last = Govern.Routes[^1];

        Assert.Equal("/", last.Match.Prefix);
        Assert.Equal("upstream_stable", last.Route_.Cluster);
        Assert.True(Govern.Routes.ToList().FindIndex(r => r.Match.Prefix == "/v1/") < Govern.Routes.Count - 1);
    }

    [Theory]
    [InlineData("envoy_govern_extauthz", 9001u)]
    [InlineData("envoy_govern_extproc", 9002u)]
    public void GrpcClusters_ProtocolOptions_AreHttp2(string name, uint port)
    {
        var cluster = Govern.Cluster(name);
        var options = cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
            .Unpack<UpstreamHttpProtocolOptions>();
        var address = cluster.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress;

        Assert.NotNull(options.ExplicitHttpConfig?.Http2ProtocolOptions);
        Assert.NotNull(cluster.ConnectTimeout);
        Assert.Equal(("127.0.0.1", port), (address.Address, address.PortValue));
    }

    [Theory]
    [InlineData("upstream_stable", 8080u)]
    [InlineData("upstream_canary", 8081u)]
    public void UpstreamClusters_Endpoints_AreExamplePorts(string name, uint port)
    {
        var address = Govern.Cluster(name).LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress;

        Assert.Equal(("127.0.0.1", port), (address.Address, address.PortValue));
    }

    [Fact]
    public void ClusterReferences_FromFiltersAndRoutes_AllExist()
    {
        // Envoy rejects a static route or gRPC service naming a missing cluster; the proto parse cannot.
        var clusters = Govern.Bootstrap.StaticResources.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var referenced = new[]
        {
            Govern.ExtAuthz.GrpcService.EnvoyGrpc.ClusterName,
            Govern.ExtProc.GrpcService.EnvoyGrpc.ClusterName,
        }.Concat(Govern.Routes.Select(r => r.Route_.Cluster).Where(c => c.Length > 0));

        Assert.All(referenced, name => Assert.Contains(name, clusters));
        Assert.Equal(clusters.Count, Govern.Bootstrap.StaticResources.Clusters.Count);
    }
}
