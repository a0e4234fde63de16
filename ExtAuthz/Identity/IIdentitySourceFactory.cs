using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Compiles an identity source of the policy; throws with a message for anything unusable.</summary>
public interface IIdentitySourceFactory
{
    /// <summary>Builds the runtime source for <paramref name="spec"/>.</summary>
    IIdentitySource Create(IdentitySourceSpec spec);
}
