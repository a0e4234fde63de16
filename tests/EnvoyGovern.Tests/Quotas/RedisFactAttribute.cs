namespace EnvoyGovern.Tests.Quotas;

/// <summary>
/// A fact that needs a real Redis server at <c>ENVOYGOVERN_TEST_REDIS</c> (<c>host:port</c>). Skipped
/// with that reason when the variable is unset, except under <c>CI=true</c>: there it runs and fails,
/// so CI cannot pass with the Redis tests silently skipped (<c>.ci/run</c> starts the server).
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestServer.Endpoint is null && !RedisTestServer.IsCi)
        {
            Skip = $"Needs a Redis server: set {RedisTestServer.Variable}=host:port (.ci/run starts one; under CI=true these tests run and fail instead).";
        }
    }
}

/// <summary>Where the Redis tests find their server.</summary>
internal static class RedisTestServer
{
    public const string Variable = "ENVOYGOVERN_TEST_REDIS";

    public static string? Endpoint =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value.Trim() : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// How long one call to the test server may take. These tests judge what the stores do with
    /// Redis's answers, not how fast it gives them: the first call also connects and loads scripts,
    /// and on a loaded 2-core CI machine running the whole suite that took over 3 s once. The tests of
    /// the timeout itself use their own short values against a closed port.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    /// <summary><see cref="CallTimeout"/> as a configuration value (<c>hh:mm:ss</c>).</summary>
    public static string CallTimeoutSetting => CallTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The configuration string for the test server; fails the test when there is none.</summary>
    public static string Configuration =>
        (Endpoint ?? throw new InvalidOperationException($"{Variable} is not set, but CI=true requires the Redis tests to run: start redis-server and export {Variable}=host:port."))
        + ",abortConnect=false,connectTimeout=15000";
}
