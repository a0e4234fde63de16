using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// Keeps the gRPC API and the admin endpoints apart: the gRPC port serves only gRPC, the admin port only
/// probes and metrics. The tag is set per connection from the Kestrel endpoint name, so it holds for any
/// configured address, including the dynamic ports that tests use. <see cref="GrpcCallGate"/> answers 404 for a
/// request that reached the wrong listener.
/// </summary>
internal static class EndpointIsolation
{
    private const string ItemKey = "envoygovern.endpoint";

    public static void Tag(ListenOptions listen, EndpointKind kind)
    {
        listen.Use(next => connection =>
        {
            connection.Items[ItemKey] = kind;
            return next(connection);
        });
    }

    public static EndpointKind KindOf(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        return items is not null && items.TryGetValue(ItemKey, out var value) && value is EndpointKind kind
            ? kind
            : EndpointKind.Unknown;
    }

    public static bool IsAdminPath(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal)
        || path.StartsWithSegments("/healthz", StringComparison.Ordinal)
        || path.StartsWithSegments("/readyz", StringComparison.Ordinal)
        || path.StartsWithSegments("/canaries", StringComparison.Ordinal);
}
