using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Runs a policy's identity sources in order. The first source that authenticates decides; the first
/// that rejects also decides (a bad credential is not retried as another kind, so a forged token cannot
/// fall through to a weaker source); when none finds a credential the caller is anonymous.
/// </summary>
public sealed class IdentityResolver : IDisposable
{
    private readonly IIdentitySource[] _sources;

    /// <summary>Wraps sources already compiled, in policy order.</summary>
    public IdentityResolver(IEnumerable<IIdentitySource> sources) => _sources = [.. sources];

    /// <summary>The sources, in order.</summary>
    public IReadOnlyList<IIdentitySource> Sources => _sources;

    /// <summary>Compiles <c>spec.identity</c>; errors carry paths under <c>/spec/identity/</c>.</summary>
    public static IdentityResolver Compile(IReadOnlyList<IdentitySourceSpec> specs, IdentitySourceContext ctx)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(ctx);
        var sources = new List<IIdentitySource>(specs.Count);
        try
        {
            for (var i = 0; i < specs.Count; i++)
            {
                sources.Add(IdentitySources.Create(specs[i], ctx.At($"{ctx.Path}/spec/identity/{i}")));
            }
        }
        catch
        {
            // Release what was built before the failing source.
            foreach (var source in sources.OfType<IDisposable>())
            {
                source.Dispose();
            }

            throw;
        }

        return new IdentityResolver(sources);
    }

    /// <summary>
    /// The identity of the request: Authenticated, Rejected, or NoCredentials (anonymous). A source that
    /// cannot decide because a dependency is down throws, and the request fails closed.
    /// </summary>
    public async ValueTask<IdentityResult> ResolveAsync(CheckContext context, CancellationToken cancellationToken)
    {
        foreach (var source in _sources)
        {
            var result = await source.AuthenticateAsync(context, cancellationToken);
            if (result.Outcome != IdentityOutcome.NoCredentials)
            {
                return result;
            }
        }

        return IdentityResult.None;
    }

    /// <summary>Releases the sources' caches and key refreshers (when the policy version is retired).</summary>
    public void Dispose()
    {
        foreach (var source in _sources.OfType<IDisposable>())
        {
            source.Dispose();
        }
    }
}
