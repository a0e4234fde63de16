using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EnvoyGovern.Tests.Hosting;

/// <summary>A private CA with a server and a client certificate, written as PEM files, for TLS tests.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("envoygovern-tls-").FullName;

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EnvoyGovern Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CaFile = Write("ca.pem", Ca.ExportCertificatePem());

        (ServerCertFile, ServerKeyFile, _) = Issue("server", "CN=localhost", server: true);
        (_, _, Client) = Issue("client", "CN=envoy-ingress", server: false);
    }

    public X509Certificate2 Ca { get; }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    /// <summary>A client certificate issued by <see cref="Ca"/>, with its private key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>Accepts only a server certificate that chains to the test CA.</summary>
    public bool ValidateServer(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private (string CertFile, string KeyFile, X509Certificate2 Certificate) Issue(string name, string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        var withKey = issued.CopyWithPrivateKey(key);
        var certFile = Write($"{name}.pem", withKey.ExportCertificatePem());
        var keyFile = Write($"{name}.key", key.ExportPkcs8PrivateKeyPem());
        // Re-import through PKCS#12 so the key is usable by SslStream on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        withKey.Dispose();
        return (certFile, keyFile, usable);
    }

    private string Write(string file, string pem)
    {
        var path = Path.Combine(_directory, file);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
