using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;

namespace EnvoyGovern.Integration.Tests;

internal static class ContainerBuilderExtensions
{
    /// <summary>
    /// <c>docker run --network MODE</c>. Testcontainers has no builder method for the network mode:
    /// its <c>WithNetwork</c> attaches a named network endpoint, which is not how Docker's host
    /// networking is requested, so the create parameters are set directly.
    /// </summary>
    public static ContainerBuilder WithNetworkMode(this ContainerBuilder builder, string mode) =>
        builder.WithCreateParameterModifier(parameters => (parameters.HostConfig ??= new HostConfig()).NetworkMode = mode);
}
