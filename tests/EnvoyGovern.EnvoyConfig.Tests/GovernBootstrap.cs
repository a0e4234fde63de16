using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using EarlyHeaderMutation = Envoy.Extensions.Http.EarlyHeaderMutation.HeaderMutation.V3.HeaderMutation;

namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>The repository's envoy.yaml, parsed once, with typed shortcuts to the parts the tests check.</summary>
internal sealed class GovernBootstrap
{
    private static readonly Lazy<GovernBootstrap> _instance = new(() => new GovernBootstrap());

    private GovernBootstrap()
    {
        Result = EnvoyYamlValidator.ParseBootstrapFile(RepoPaths.EnvoyYaml);
        Bootstrap = Result.Message ?? throw new InvalidOperationException(string.Join(Environment.NewLine, Result.Errors));
        Connection = Bootstrap.StaticResources.Listeners.Single().FilterChains.Single().Filters.Single()
            .TypedConfig.Unpack<HttpConnectionManager>();
        ExtAuthz = Filter("envoy.filters.http.ext_authz").Unpack<ExtAuthz>();
        ExtProc = Filter("envoy.filters.http.ext_proc").Unpack<ExternalProcessor>();
        EarlyMutation = Connection.EarlyHeaderMutationExtensions.Single().TypedConfig.Unpack<EarlyHeaderMutation>();
        Routes = Connection.RouteConfig.VirtualHosts.Single().Routes;
    }

    public static GovernBootstrap Instance => _instance.Value;

    public EnvoyParseResult<Bootstrap> Result { get; }

    public Bootstrap Bootstrap { get; }

    public HttpConnectionManager Connection { get; }

    public ExtAuthz ExtAuthz { get; }

    public ExternalProcessor ExtProc { get; }

    public EarlyHeaderMutation EarlyMutation { get; }

    public IReadOnlyList<Route> Routes { get; }

    public Cluster Cluster(string name) => Bootstrap.StaticResources.Clusters.Single(c => c.Name == name);

    private Google.Protobuf.WellKnownTypes.Any Filter(string name) =>
        Connection.HttpFilters.Single(f => f.Name == name).TypedConfig;
}
