using EnvoyGovern.Governance.State;
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

        SectionValidation.Annotations(options.Memory, "Quotas:Memory", failures);
        SectionValidation.Annotations(options.Redis, "Quotas:Redis", failures);
        if (options.Store == QuotaStoreKind.Redis)
        {
            SectionValidation.RedisConfiguration(options.Redis.Configuration, "Quotas:Redis:Configuration", "Quotas:Store is Redis", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
