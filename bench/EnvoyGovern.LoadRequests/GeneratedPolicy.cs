using System.Globalization;
using System.Text;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// A policy of many rules for one host: allows and denies over tenants, groups, paths with '*',
/// methods, regions, source networks and models. None of them matches the benchmark request except
/// one allow near the end, so the evaluator has to look at (almost) every rule, as in the worst case.
/// Used by the micro-benchmarks (bench/EnvoyGovern.Benchmarks) and the load harness (bench/load).
/// </summary>
internal static class GeneratedPolicy
{
    public const string Host = "api.example.com";
    public const string Tenant = "tenant-bench";
    public const string Issuer = "https://idp.example.com/";
    public const string Audience = "models-api";

    /// <summary>Name of the only rule that matches the benchmark request.</summary>
    public static string MatchingRule(int rules) => RuleName(MatchingIndex(rules));

    /// <param name="rules">How many rules.</param>
    /// <param name="jwks">The inline JWKS of the issuer.</param>
    /// <param name="indexable">
    /// False for the worst case of the rule index: every rule shares the request's path prefix and
    /// differs only in a condition the index cannot use, so the evaluator tries every rule.
    /// </param>
    /// <param name="canary">
    /// True to give gpt-4o a canary whose cohort is the benchmark caller's group, routed by cluster, so the
    /// decision includes the canary choice; the matching rule then allows either version.
    /// </param>
    public static string Yaml(int rules, string jwks, bool indexable = true, bool canary = false)
    {
        var text = new StringBuilder(rules * 160);
        text.Append(CultureInfo.InvariantCulture, $$"""
            apiVersion: governance.envoygovern.io/v1
            kind: GovernancePolicy
            metadata:
              name: generated
            spec:
              hosts: [{{Host}}]
              identity:
                - jwt:
                    issuer: {{Issuer}}
                    audiences: [{{Audience}}]
                    algorithms: [RS256]
                    jwks:
                      inline: '{{jwks}}'
              region:
                networks:
                  - { cidr: 203.0.113.0/24, region: embargoed }
                  - { cidr: 198.51.100.0/24, region: eu }
                  - { cidr: 0.0.0.0/0, region: global }
              models:
                bodyField: model
                header: x-model
                catalog:
                  - name: gpt-4o
                    stable: "2024-08-06"
                    versions:
                      - { name: "2024-08-06", id: gpt-4o-2024-08-06{{(canary ? ", cluster: upstream_stable" : "")}} }
                      - { name: "2024-11-20", id: gpt-4o-2024-11-20{{(canary ? ", cluster: upstream_canary" : "")}} }
            {{(canary ? Canary : "")}}      - name: text-embedding-3-small
                    stable: "1"
                    versions:
                      - { name: "1", id: text-embedding-3-small{{(canary ? ", cluster: upstream_stable" : "")}} }
              tls:
                action: redirect
              quotas:
                # High enough never to answer 429 inside a benchmark loop: the allowed path is measured.
                - { name: per-tenant, per: tenant, requestsPerSecond: 100000000, burst: 100000000 }
              rules:

            """);
        var matching = MatchingIndex(rules);
        for (var i = 0; i < rules; i++)
        {
            text.Append("    - ").Append(i == matching ? Matching(i, canary) : indexable ? Rule(i) : Unindexable(i)).Append('\n');
        }

        return text.ToString();
    }

    private static int MatchingIndex(int rules) => rules - 1 - Math.Min(9, rules - 1);

    private static string RuleName(int i) => $"rule-{i:D4}";

    // A quarter of the cohort (the caller's group) gets the new version; which quarter is the subject's hash.
    private const string Canary = """
                    canaries:
                      - name: gpt-4o-nov
                        version: "2024-11-20"
                        weight: 25
                        cohort: { groups: [ml-platform] }
                        stickiness: { by: subject }
                        guardrails: { minSamples: 100, window: 5m, maxErrorRateIncrease: 5, maxP95LatencyRatio: 1.5 }

            """;

    // The one rule that matches: every kind of condition, all satisfied.
    private static string Matching(int i, bool canary) =>
        $"{{ name: {RuleName(i)}, effect: allow, when: {{ tenants: [{Tenant}], groups: [ml-platform], methods: [POST], paths: [/v1/chat/*], "
        + $"models: [gpt-4o], modelVersions: [{(canary ? "\"2024-08-06\", \"2024-11-20\"" : "\"2024-08-06\"")}], regions: [eu], sourceCidrs: [198.51.100.0/24] }} }}";

    // Path and method match the request; the route's context extension never does.
    private static string Unindexable(int i) =>
        $"{{ name: {RuleName(i)}, effect: {(i % 2 == 0 ? "allow" : "deny, reason: route_blocked")}, when: {{ methods: [POST], paths: [/v1/*], contextExtensions: {{ route: route-{i} }} }} }}";

    // Each kind fails on a different condition, some only after the cheap ones have passed.
    private static string Rule(int i) => (i % 8) switch
    {
        0 => $"{{ name: {RuleName(i)}, effect: deny, reason: tenant_blocked, when: {{ tenants: [tenant-{i}], paths: [/v1/*] }} }}",
        1 => $"{{ name: {RuleName(i)}, effect: allow, when: {{ groups: [group-{i}], methods: [POST], paths: [/v1/chat/*] }} }}",
        2 => $"{{ name: {RuleName(i)}, effect: deny, reason: region_not_allowed, when: {{ regions: [embargoed-{i}] }} }}",
        3 => $"{{ name: {RuleName(i)}, effect: allow, when: {{ methods: [GET], paths: [/v1/models/*] }} }}",
        4 => $"{{ name: {RuleName(i)}, effect: deny, reason: model_blocked, when: {{ methods: [POST], models: [model-{i}] }} }}",
        5 => $"{{ name: {RuleName(i)}, effect: allow, when: {{ tenants: [tenant-{i}], models: [gpt-4o], paths: [/v1/chat/completions] }} }}",
        6 => $"{{ name: {RuleName(i)}, effect: deny, reason: network_blocked, when: {{ paths: [/v1/*/completions], sourceCidrs: [10.{i % 256}.0.0/16] }} }}",
        _ => $"{{ name: {RuleName(i)}, effect: allow, when: {{ methods: [POST, PUT], paths: [/v2/tenant-{i}/*] }} }}",
    };
}
