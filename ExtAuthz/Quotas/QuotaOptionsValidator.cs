using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>
/// Validates <see cref="QuotaOptions"/> at start, nested sections included. Failures name the setting,
/// never its value: the Redis configuration string may hold a password.
/// </summary>
internal sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Store))
        {
            failures.Add("Quotas:Store must be Memory or Redis.");
        }

        Annotations(options.Memory, "Quotas:Memory", failures);
        Annotations(options.Redis, "Quotas:Redis", failures);

        if (options.Store == QuotaStoreKind.Redis)
        {
            if (string.IsNullOrWhiteSpace(options.Redis.Configuration))
            {
                failures.Add("Quotas:Redis:Configuration is required when Quotas:Store is Redis.");
            }
            else if (!RedisQuotaStore.TryParseConfiguration(options.Redis.Configuration, out var parsed) || parsed.EndPoints.Count == 0)
            {
                failures.Add("Quotas:Redis:Configuration is not a valid StackExchange.Redis configuration string with at least one endpoint.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Annotations(object section, string path, List<string> failures)
    {
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
}
