using EnvoyGovern.ExtAuthz;
using EnvoyGovern.TestSupport;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EnvoyGovern.Tests.Hosting;

/// <summary>The gRPC listener with TLS and mTLS, configured only through standard Kestrel settings.</summary>
public sealed class TlsEndpointTests : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly PolicyDirectory _policy = new(("allow-all.yaml", PolicyDirectory.AllowAll));

    [Fact]
    public async Task HealthCheck_MutualTlsWithClientCertificate_Serving()
    {
        var port = LoopbackPorts.Free();
        await using var app = await StartAsync(port, requireClientCertificate: true);
        using var channel = Channel(port, withClientCertificate: true);

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task HealthCheck_MutualTlsWithoutClientCertificate_Refused()
    {
        var port = LoopbackPorts.Free();
        await using var app = await StartAsync(port, requireClientCertificate: true);
        using var channel = Channel(port, withClientCertificate: false);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()));

        AssertRefused(error);
    }

    [Fact]
    public async Task HealthCheck_ClientCertificateFromOtherCa_Refused()
    {
        using var other = new TestCertificates();
        var port = LoopbackPorts.Free();
        await using var app = await StartAsync(port, requireClientCertificate: true);
        using var channel = Channel(port, withClientCertificate: true, clientCertificate: other.Client);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()));

        AssertRefused(error);
    }

    [Fact]
    public async Task HealthCheck_ServerTlsOnly_Serving()
    {
        var port = LoopbackPorts.Free();
        await using var app = await StartAsync(port, requireClientCertificate: false);
        using var channel = Channel(port, withClientCertificate: false);

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    // With TLS 1.3 the server rejects the client certificate after the client has finished its side of
    // the handshake, so the refusal reaches gRPC either as a failed connection (UNAVAILABLE) or as a
    // broken first stream (INTERNAL), depending on timing. Both mean no call was served.
    private static void AssertRefused(RpcException error) =>
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });

    private async Task<Microsoft.AspNetCore.Builder.WebApplication> StartAsync(int port, bool requireClientCertificate)
    {
        List<string> args =
        [
            $"--Kestrel:Endpoints:Grpc:Url=https://127.0.0.1:{port}",
            $"--Kestrel:Endpoints:Grpc:Certificate:Path={_certificates.ServerCertFile}",
            $"--Kestrel:Endpoints:Grpc:Certificate:KeyPath={_certificates.ServerKeyFile}",
            $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{LoopbackPorts.Free()}",
            "--Logging:MinimumLevel=Warning",
            _policy.Setting,
        ];
        if (requireClientCertificate)
        {
            args.Add("--Kestrel:Endpoints:Grpc:ClientCertificateMode=RequireCertificate");
            args.Add($"--Hosting:ClientCaFile={_certificates.CaFile}");
        }

        var app = ExtAuthzApp.Build([.. args]);
        await app.StartAsync();
        return app;
    }

    private GrpcChannel Channel(int port, bool withClientCertificate, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            _certificates.ValidateServer(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2);
        if (withClientCertificate)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate ?? _certificates.Client];
        }

        return GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler });
    }


    public void Dispose()
    {
        _certificates.Dispose();
        _policy.Dispose();
    }
}
