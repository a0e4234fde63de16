using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EnvoyGovern.Integration.Tests;

/// <summary>
/// A cheap, bounded check that a Docker engine answers, made before any test asks Testcontainers for
/// one: Testcontainers' own discovery only fails after its timeouts, and the failure reads as a test
/// error rather than "not runnable here".
/// </summary>
internal static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";

    private const string Unreachable =
        "No Docker engine reachable (checked DOCKER_HOST and /var/run/docker.sock): the Envoy container test runs only where Docker is available.";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private static readonly Lazy<string?> Reason = new(Probe);

    /// <summary>Null when an engine answered <c>/_ping</c>; otherwise why the Docker tests cannot run.</summary>
    public static string? UnavailableReason => Reason.Value;

    private static string? Probe()
    {
        // The stack runs Envoy with host networking, which only a Linux engine on this host provides.
        if (!OperatingSystem.IsLinux())
        {
            return "The Envoy container test needs a Linux Docker host: it runs Envoy with host networking to reach services on this host's loopback.";
        }

        // Only the two usual places; Testcontainers also reads docker contexts and its properties
        // file, so a setup that relies on those sets DOCKER_HOST to be seen here.
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        EndPoint endpoint;
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            if (!File.Exists(DefaultSocket))
            {
                return Unreachable;
            }

            endpoint = new UnixDomainSocketEndPoint(DefaultSocket);
        }
        else if (Parse(dockerHost) is { } parsed)
        {
            endpoint = parsed;
        }
        else
        {
            return $"{Unreachable} (DOCKER_HOST '{dockerHost}' is neither unix:// nor tcp://)";
        }

        if (endpoint is UnixDomainSocketEndPoint unixSocket && !File.Exists(unixSocket.ToString()))
        {
            return $"{Unreachable} ({Describe(endpoint)}: no such socket)";
        }

        // Host networking shares the engine host's loopback: an engine elsewhere (a remote host, a
        // docker-in-docker sidecar) could run Envoy but Envoy could not reach this process.
        if (endpoint is DnsEndPoint { Host: not ("localhost" or "127.0.0.1" or "::1" or "[::1]") } remote)
        {
            return $"The Envoy container test needs the Docker engine on this host (DOCKER_HOST points at {remote.Host}): Envoy uses host networking to reach services on this host's loopback.";
        }

        // An attribute constructor cannot await; every step below honours the 2 s token, so the
        // blocking wait is bounded.
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            return PingAsync(endpoint, timeout.Token).GetAwaiter().GetResult()
                ? null
                : $"{Unreachable} ({Describe(endpoint)} did not answer /_ping with 200)";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return $"{Unreachable} ({Describe(endpoint)}: {e.GetType().Name}: {e.Message})";
        }
    }

    private static EndPoint? Parse(string dockerHost)
    {
        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.Scheme switch
        {
            "unix" => new UnixDomainSocketEndPoint(uri.AbsolutePath),
            "tcp" or "http" or "https" => new DnsEndPoint(uri.Host, uri.IsDefaultPort ? 2375 : uri.Port),
            _ => null,
        };
    }

    private static async Task<bool> PingAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        // The TCP socket is dual-mode, so a DOCKER_HOST that resolves to IPv6 connects as well.
        using var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint, cancellationToken);

        // A TLS-protected engine (DOCKER_TLS_VERIFY) would need its client certificate to answer; that
        // the port accepted a connection is as much as a cheap probe can learn there.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY")) && endpoint is not UnixDomainSocketEndPoint)
        {
            return true;
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"), SocketFlags.None, cancellationToken);
        var buffer = new byte[64];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read);
        return statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) && statusLine.Contains(" 200 ", StringComparison.Ordinal);
    }

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        UnixDomainSocketEndPoint unix => $"unix://{unix}",
        DnsEndPoint dns => $"tcp://{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "the engine",
    };
}
