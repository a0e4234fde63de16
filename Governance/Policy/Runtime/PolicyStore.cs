using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>The outcome of offering a loaded policy to the store.</summary>
public enum PolicyApplyOutcome
{
    /// <summary>The new policy is active.</summary>
    Applied = 0,

    /// <summary>Same content as the active policy: nothing to do.</summary>
    Unchanged = 1,

    /// <summary>Invalid: the previous policy stays active.</summary>
    Rejected = 2,
}

/// <summary>Holds the active policy and swaps it atomically, only for a set that validates and compiles.</summary>
public sealed class PolicyStore(IEnumerable<IPolicyCompiler> compilers, TimeProvider time)
{
    private readonly IPolicyCompiler[] _compilers = compilers.ToArray();
    private readonly Lock _gate = new();
    private PolicySnapshot? _current;

    /// <summary>The active policy; null until a valid one was loaded.</summary>
    public PolicySnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Errors of the last rejected load, empty after a successful one.</summary>
    public IReadOnlyList<PolicyError> LastErrors { get; private set; } = [];

    /// <summary>Hash of the last content offered, valid or not (so unchanged invalid content is not re-reported).</summary>
    public string? LastOfferedHash { get; private set; }

    /// <summary>Offers a load result; compiles and activates it when valid.</summary>
    public PolicyApplyOutcome Apply(PolicyLoadResult result, out IReadOnlyList<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            if (_current is not null && result.Hash == _current.Set.Hash)
            {
                LastOfferedHash = result.Hash;
                LastErrors = [];
                errors = [];
                return PolicyApplyOutcome.Unchanged;
            }

            LastOfferedHash = result.Hash;
            var collected = new List<PolicyError>(result.Errors);
            var compiled = new Dictionary<Type, object>();
            if (result.Set is { } set)
            {
                foreach (var compiler in _compilers)
                {
                    var output = compiler.Compile(set, collected);
                    compiled[output.GetType()] = output;
                }
            }

            if (result.Set is null || collected.Count > 0)
            {
                DisposeAll(compiled.Values);
                LastErrors = collected;
                errors = collected;
                return PolicyApplyOutcome.Rejected;
            }

            var previous = _current;
            Volatile.Write(ref _current, new PolicySnapshot(result.Set, compiled, time.GetUtcNow()));
            if (previous is not null)
            {
                // Requests that started on the old policy finish on it; Envoy's timeouts bound them well
                // inside the grace period, after which the old policy's resources are released.
                _ = RetireAsync(previous);
            }

            LastErrors = [];
            errors = [];
            return PolicyApplyOutcome.Applied;
        }
    }

    /// <summary>How long a replaced policy stays usable by requests still running on it.</summary>
    public static TimeSpan RetireAfter { get; } = TimeSpan.FromSeconds(30);

    private async Task RetireAsync(PolicySnapshot previous)
    {
        await Task.Delay(RetireAfter, time);
        DisposeAll(previous.CompiledValues);
    }

    private static void DisposeAll(IEnumerable<object> compiled)
    {
        foreach (var disposable in compiled.OfType<IDisposable>())
        {
            disposable.Dispose();
        }
    }
}
