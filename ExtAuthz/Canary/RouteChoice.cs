namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>The cluster and version an allowed request goes to, and why.</summary>
/// <param name="Cluster">The Envoy cluster.</param>
/// <param name="Version">The model version that cluster serves.</param>
/// <param name="Canary">The canary's name when the request goes to one.</param>
/// <param name="Reason">
/// Why: <c>pinned</c> (the client named a version), <c>stable</c> (not in a canary's share),
/// <c>weight</c> (in a canary's share), <c>opt_in</c>, and for stable despite a canary:
/// <c>not_in_cohort</c>, <c>opt_out</c>, <c>no_stickiness_key</c>, <c>halted</c>.
/// </param>
internal sealed record RouteChoice(string Cluster, string Version, string? Canary, string Reason);
