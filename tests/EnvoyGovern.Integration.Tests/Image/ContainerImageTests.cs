using DotNet.Testcontainers.Builders;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Integration.Tests.Image;

/// <summary>
/// The image built from Governance/Cli/Dockerfile (its default target, the Helm chart's image): it starts as the
/// non-root user with a read-only policy mount, both services become ready, and Docker's HEALTHCHECK (the
/// `envoy-govern health` command, the image having no shell) reports healthy.
/// </summary>
public sealed class ContainerImageTests
{
    [DockerFact]
    public async Task Image_DefaultTarget_ServesBothServicesAndTurnsHealthy()
    {
        var image = new ImageFromDockerfileBuilder()
            .WithContextDirectory(RepoPaths.Root)
            .WithDockerfile("Governance/Cli/Dockerfile")
            .WithName($"envoygovern/envoy-govern:test-{Guid.NewGuid():N}")
            .WithDeleteIfExists(true)
            .WithCleanUp(true)
            .Build();
        await image.CreateAsync();

        await using var container = new ContainerBuilder(image)
            .WithResourceMapping(new FileInfo(Path.Combine(RepoPaths.Root, "helm", "envoy-govern", "files", "default-deny.yaml")), new FileInfo("/etc/envoy-govern/policy/default-deny.yaml"))
            .WithPortBinding(9101, assignRandomHostPort: true)
            .WithPortBinding(9102, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilContainerIsHealthy())
            .Build();
        await container.StartAsync();

        using var http = new HttpClient();
        foreach (var port in new[] { 9101, 9102 })
        {
            using var response = await http.GetAsync(new Uri($"http://{container.Hostname}:{container.GetMappedPublicPort(port)}/readyz"));
            Assert.True(response.IsSuccessStatusCode, $"admin port {port}: {(int)response.StatusCode}");
        }

        var (stdout, stderr) = await container.GetLogsAsync();
        Assert.DoesNotContain("Permission denied", stdout + stderr, StringComparison.Ordinal);
    }
}
