using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// Validates client certificates (mTLS) against a private CA bundle rather than the system store, which
/// is how mesh and ingress certificates are usually issued.
/// </summary>
internal sealed class ClientCertificateTrust
{
    private readonly X509Certificate2Collection _roots;

    private ClientCertificateTrust(X509Certificate2Collection roots) => _roots = roots;

    public static ClientCertificateTrust FromPemFile(string path)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"Hosting:ClientCaFile '{path}' holds no certificate.");
        }

        return new ClientCertificateTrust(roots);
    }

    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        return custom.Build(certificate);
    }
}
