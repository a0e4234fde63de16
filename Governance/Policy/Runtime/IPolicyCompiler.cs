using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>
/// Turns a validated policy set into the runtime form one feature needs (compiled rules, identity
/// sources with their key sets ...). Runs before a set becomes active: an error here rejects the whole
/// set, so a policy that cannot be compiled never replaces a good one.
/// </summary>
public interface IPolicyCompiler
{
    /// <summary>Compiles <paramref name="policy"/>, adding an error for anything it cannot use.</summary>
    /// <returns>The compiled form, stored in the snapshot under its runtime type.</returns>
    object Compile(PolicySet policy, ICollection<PolicyError> errors);
}
