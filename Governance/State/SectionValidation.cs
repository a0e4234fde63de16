using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.State;

/// <summary>
/// Checks for options sections that hold a Redis connection: data annotations of nested sections with
/// the full setting path, and the configuration string, all reported without the value (it may hold a password).
/// </summary>
public static class SectionValidation
{
    /// <summary>Adds a failure, naming the setting, for every data annotation <paramref name="section"/> breaks.</summary>
    public static void Annotations(object section, string path, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(failures);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            return;
        }

        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty("?"))
            {
                failures.Add($"{path}:{member} is invalid ({result.ErrorMessage})");
            }
        }
    }

    /// <summary>Adds a failure when a required Redis configuration string is missing or has no endpoint.</summary>
    /// <param name="configuration">The configuration string.</param>
    /// <param name="setting">Its setting path, such as <c>Quotas:Redis:Configuration</c>.</param>
    /// <param name="requiredBecause">Why it is required, such as <c>Quotas:Store is Redis</c>.</param>
    /// <param name="failures">Where failures are added.</param>
    public static void RedisConfiguration(string? configuration, string setting, string requiredBecause, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (string.IsNullOrWhiteSpace(configuration))
        {
            failures.Add($"{setting} is required when {requiredBecause}.");
        }
        else if (!RedisConnection.TryParseConfiguration(configuration, out var parsed) || parsed.EndPoints.Count == 0)
        {
            failures.Add($"{setting} is not a valid StackExchange.Redis configuration string with at least one endpoint.");
        }
    }
}
