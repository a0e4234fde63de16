namespace EnvoyGovern.LoadRequests;

/// <summary>
/// The sample policy (envoy-config/policy) as benchmarks use it: its per-tenant quota (5/s, burst 10) raised
/// so that a loop measures the allowed decision rather than 429 after ten calls.
/// </summary>
internal static class SamplePolicy
{
    /// <summary>The policy's YAML files (name, text), in name order.</summary>
    /// <param name="repoRoot">The repository root.</param>
    /// <param name="canaries">False to drop the models' canaries (the clusters stay): the baseline of the canary choice.</param>
    public static List<(string Name, string Text)> Files(string repoRoot, bool canaries = true) =>
        [.. Directory.GetFiles(System.IO.Path.Combine(repoRoot, "envoy-config", "policy"), "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => (System.IO.Path.GetFileName(f), RaiseQuota(File.ReadAllText(f))))
            .Select(f => canaries ? f : (f.Item1, WithoutCanaries(f.Item2)))];

    private static string RaiseQuota(string yaml) => yaml
        .Replace("requestsPerSecond: 5\n", "requestsPerSecond: 100000000\n", StringComparison.Ordinal)
        .Replace("burst: 10\n", "burst: 100000000\n", StringComparison.Ordinal);

    // Drops each "canaries:" block: the lines below it that are indented deeper.
    private static string WithoutCanaries(string yaml)
    {
        var kept = new List<string>();
        var skipDeeperThan = -1;
        foreach (var line in yaml.Split('\n'))
        {
            var indent = line.Length - line.TrimStart().Length;
            if (skipDeeperThan >= 0 && (line.Trim().Length == 0 || indent > skipDeeperThan))
            {
                continue;
            }

            skipDeeperThan = line.TrimStart().StartsWith("canaries:", StringComparison.Ordinal) ? indent : -1;
            if (skipDeeperThan < 0)
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept);
    }
}
