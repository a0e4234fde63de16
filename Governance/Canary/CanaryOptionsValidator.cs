using EnvoyGovern.Governance.State;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Canary;

/// <summary>Validates <see cref="CanaryOptions"/> at start; failures name the setting, never its value.</summary>
internal sealed class CanaryOptionsValidator : IValidateOptions<CanaryOptions>
{
    public ValidateOptionsResult Validate(string? name, CanaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.EvaluationInterval < TimeSpan.FromMilliseconds(100) || options.EvaluationInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Canary:EvaluationInterval must be between 100ms and 1h.");
        }

        if (!Enum.IsDefined(options.Store))
        {
            failures.Add("Canary:Store must be Memory or Redis.");
        }

        SectionValidation.Annotations(options.Redis, "Canary:Redis", failures);
        if (options.Store == CanaryStoreKind.Redis)
        {
            SectionValidation.RedisConfiguration(options.Redis.Configuration, "Canary:Redis:Configuration", "Canary:Store is Redis", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
