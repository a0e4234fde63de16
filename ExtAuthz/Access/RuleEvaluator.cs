using System.Runtime.CompilerServices;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// Deny overrides allow, and no matching allow means deny. A dry-run rule is evaluated and recorded
/// (in <c>dynamic_metadata</c> and the audit record) but does not change the outcome.
/// </summary>
internal static class RuleEvaluator
{
    public static Decision? Evaluate(IReadOnlyList<CompiledDocument> documents, RequestAttributes request, CheckContext context)
    {
        CompiledRule? allow = null;
        CompiledRule? shadowDeny = null;
        foreach (var document in documents)
        {
            // Only rules the request can match, in rule order: the same outcome as trying every rule.
            var index = RuleIndex.For(document);
            var keyed = index.Candidates(request);
            var always = index.Always;
            var rules = document.Rules;
            int a = 0, k = 0;
            while (a < always.Length || k < keyed.Length)
            {
                var rule = rules[k >= keyed.Length || (a < always.Length && always[a] < keyed[k]) ? always[a++] : keyed[k++]];
                // Once an allow (or a dry-run deny) is recorded, another one cannot change the outcome:
                // only enforced denies still need evaluating.
                var settled = rule.Effect == RuleEffect.Allow ? allow is not null : rule.DryRun && shadowDeny is not null;
                if (settled || !rule.When.IsMatch(request))
                {
                    continue;
                }

                if (rule.Effect == RuleEffect.Allow)
                {
                    allow ??= rule;
                }
                else if (rule.DryRun)
                {
                    shadowDeny ??= rule;
                }
                else
                {
                    context.SetMetadata("rule", rule.Name);
                    return Denials.Deny(rule.Status, rule.Reason, rule.Message ?? $"Denied by rule '{rule.Name}'.") with { DecidedBy = $"rule:{rule.Name}" };
                }
            }
        }

        if (shadowDeny is not null)
        {
            context.SetMetadata("dry_run_rule", shadowDeny.Name);
            context.SetMetadata("dry_run_decision", "deny");
        }

        if (allow is not null)
        {
            context.SetMetadata("rule", allow.Name);
            return null;
        }

        // Default deny. When every governing document is in dry-run, it is recorded, not enforced.
        if (documents.All(d => d.DryRun))
        {
            context.SetMetadata("dry_run_decision", "deny");
            return null;
        }

        // Anonymous callers where credentials could help get 401 with a challenge, not a bare 403.
        return request.Identity is null && documents.Any(d => d.Identity.Length > 0)
            ? Denials.CredentialsRequired(documents)
            : Denials.Deny(403, "no_matching_rule", "No rule allows this request.");
    }
}

/// <summary>
/// The rules of one document filed by a condition each must meet (<see cref="CompiledMatch.IndexOptions"/>),
/// so a request only evaluates the rules it could match: with 1,000 rules, a handful instead of all.
/// Candidates are positions in <see cref="CompiledDocument.Rules"/>, sorted, and are still checked with
/// the full match, so rule order, deny-overrides-allow and dry-run are exactly as without the index.
/// </summary>
internal sealed class RuleIndex
{
    // Built with the compiled policy (AccessPolicy), looked up per Check; dies with the document.
    private static readonly ConditionalWeakTable<CompiledDocument, RuleIndex> Built = [];

    // Per thread, reused: candidates are collected without allocating. Evaluation is synchronous.
    [ThreadStatic]
    private static int[]? _scratch;

    private readonly Bucket[] _buckets;
    private readonly bool _hasNetworkBucket;

    private RuleIndex(CompiledRule[] rules)
    {
        var always = new List<int>();
        var byKey = new Dictionary<MatchKey, Dictionary<string, List<int>>>();
        var sizes = BucketSizes(rules);
        for (var i = 0; i < rules.Length; i++)
        {
            if (Cheapest(rules[i].When.IndexOptions, sizes) is not { } option)
            {
                always.Add(i);
                continue;
            }

            if (!byKey.TryGetValue(option.Key, out var values))
            {
                byKey[option.Key] = values = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            }

            foreach (var value in option.Values)
            {
                if (!values.TryGetValue(value, out var list))
                {
                    values[value] = list = [];
                }

                list.Add(i);
            }
        }

        Always = [.. always];
        _buckets = [.. byKey.Select(k => new Bucket(k.Key, k.Value.ToDictionary(v => v.Key, v => v.Value.ToArray(), StringComparer.Ordinal)))];
        _hasNetworkBucket = byKey.ContainsKey(MatchKey.Network);
    }

    /// <summary>Rules without an indexed condition, tried for every request.</summary>
    public int[] Always { get; }

    public static RuleIndex For(CompiledDocument document) => Built.GetValue(document, static d => new RuleIndex(d.Rules));

    // How many rules could be filed under each (key, value): a rule goes where the fewest others can,
    // so a request that carries that value has the fewest candidates to try.
    private static Dictionary<(MatchKey, string), int> BucketSizes(CompiledRule[] rules)
    {
        var sizes = new Dictionary<(MatchKey, string), int>();
        foreach (var rule in rules)
        {
            foreach (var option in rule.When.IndexOptions)
            {
                foreach (var value in option.Values)
                {
                    sizes[(option.Key, value)] = sizes.GetValueOrDefault((option.Key, value)) + 1;
                }
            }
        }

        return sizes;
    }

    private static IndexOption? Cheapest(IReadOnlyList<IndexOption> options, Dictionary<(MatchKey, string), int> sizes)
    {
        IndexOption? best = null;
        var bestCost = int.MaxValue;
        foreach (var option in options)
        {
            var cost = 0;
            foreach (var value in option.Values)
            {
                cost += sizes[(option.Key, value)];
            }

            // Ties keep the earlier option, which is usually the more selective kind.
            if (cost < bestCost)
            {
                (best, bestCost) = (option, cost);
            }
        }

        return best;
    }

    /// <summary>The indexed rules <paramref name="request"/> could match, ascending; valid until the next call on this thread.</summary>
    public ReadOnlySpan<int> Candidates(RequestAttributes request)
    {
        var scratch = _scratch ??= new int[64];
        var count = 0;
        var identity = request.Identity;
        Span<char> networkKey = stackalloc char[CompiledMatch.NetworkKeyLength];
        Span<char> mappedKey = stackalloc char[CompiledMatch.NetworkKeyLength];
        // The address's keys are written only for a policy that files rules by network.
        var source = _hasNetworkBucket ? request.Source : null;
        var network = source is not null && CompiledMatch.TryWriteNetworkKey(source, networkKey, out var written) ? networkKey[..written] : [];
        var mapped = source is not null && CompiledMatch.TryWriteNetworkKey(source, mappedKey, out written, mappedAsIPv4: true) ? mappedKey[..written] : [];
        foreach (var bucket in _buckets)
        {
            switch (bucket.Key)
            {
                case MatchKey.Tenant:
                    Add(bucket, identity?.Tenant, ref scratch, ref count);
                    break;
                case MatchKey.Subject:
                    Add(bucket, identity?.Subject, ref scratch, ref count);
                    break;
                case MatchKey.Model:
                    Add(bucket, request.Model, ref scratch, ref count);
                    break;
                case MatchKey.Region:
                    Add(bucket, request.Region, ref scratch, ref count);
                    break;
                case MatchKey.Method:
                    Add(bucket, request.Method, ref scratch, ref count);
                    break;
                case MatchKey.Group when identity is not null:
                    for (var i = 0; i < identity.Groups.Count; i++)
                    {
                        Add(bucket, identity.Groups[i], ref scratch, ref count);
                    }

                    break;
                case MatchKey.Network:
                    AddSpan(bucket, network, ref scratch, ref count);
                    AddSpan(bucket, mapped, ref scratch, ref count);

                    break;
                case MatchKey.PathSegment when CompiledMatch.TryGetFirstSegment(request.Path, out var segment):
                    AddSpan(bucket, segment, ref scratch, ref count);
                    break;
            }
        }

        var found = scratch.AsSpan(0, count);
        if (IsStrictlyAscending(found))
        {
            return found; // one bucket's list, as usual: already in rule order
        }

        found.Sort();
        return found[..Distinct(found)];
    }

    private static bool IsStrictlyAscending(ReadOnlySpan<int> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] <= values[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(Bucket bucket, string? value, ref int[] scratch, ref int count)
    {
        if (value is not null && bucket.Values.TryGetValue(value, out var rules))
        {
            Append(rules, ref scratch, ref count);
        }
    }

    private static void AddSpan(Bucket bucket, ReadOnlySpan<char> value, ref int[] scratch, ref int count)
    {
        if (!value.IsEmpty && bucket.Lookup.TryGetValue(value, out var rules))
        {
            Append(rules, ref scratch, ref count);
        }
    }

    private static void Append(int[] rules, ref int[] scratch, ref int count)
    {
        if (count + rules.Length > scratch.Length)
        {
            Array.Resize(ref scratch, Math.Max(scratch.Length * 2, count + rules.Length));
            _scratch = scratch;
        }

        rules.CopyTo(scratch, count);
        count += rules.Length;
    }

    // A rule filed under several groups the caller has is collected once per group: keep one.
    private static int Distinct(Span<int> sorted)
    {
        var length = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (length == 0 || sorted[length - 1] != sorted[i])
            {
                sorted[length++] = sorted[i];
            }
        }

        return length;
    }

    private sealed class Bucket(MatchKey key, Dictionary<string, int[]> values)
    {
        public MatchKey Key { get; } = key;

        public Dictionary<string, int[]> Values { get; } = values;

        public Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = values.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
