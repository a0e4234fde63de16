using System.Collections.Concurrent;
using System.Net;
using EnvoyGovern.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Integration.Tests;

/// <summary>
/// A stand-in application behind Envoy: Kestrel on a free loopback port that answers every request
/// with the request headers it received, as a JSON object, and remembers them.
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    /// <summary>Response header naming the upstream that answered, so a test sees where Envoy routed.</summary>
    public const string NameHeader = "x-echo-upstream";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _received = new();

    private EchoUpstream(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>Headers of every request received since the last <see cref="Forget"/>, oldest first.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Received => [.. _received];

    public static async Task<EchoUpstream> StartAsync(string name)
    {
        // As in RunningService: a port picked free can be taken before Kestrel binds it.
        for (var attempt = 0; ; attempt++)
        {
            var port = LoopbackPorts.Free();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var upstream = new EchoUpstream(app, name, port);
            app.Run(upstream.EchoAsync);
            try
            {
                await app.StartAsync();
                return upstream;
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Drops what was received so far (warm-up traffic), so a test sees only its own requests.</summary>
    public void Forget() => _received.Clear();

    private async Task EchoAsync(HttpContext context)
    {
        // Case-insensitive like HTTP itself: Envoy may send names in any case over HTTP/1.1.
        var headers = context.Request.Headers.ToDictionary(
            header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(headers);
        context.Response.Headers[NameHeader] = Name;
        await context.Response.WriteAsJsonAsync(headers);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
