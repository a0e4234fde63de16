using System.Net;
using System.Net.Sockets;

namespace EnvoyGovern.TestSupport;

/// <summary>Free TCP ports on the loopback interface, for servers that a test starts itself.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port that was free a moment ago. Another process can take it before the caller binds it, so
    /// callers that bind retry with a new port on failure.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
