using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>Where the policy lives and how it is reloaded (configuration section <c>Policy</c>).</summary>
public sealed class PolicyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Policy";

    /// <summary>The policy directory, usually a mounted ConfigMap (<c>Policy__Directory</c>).</summary>
    [Required(ErrorMessage = "Policy:Directory is required: point it at the policy directory (a mounted ConfigMap), e.g. Policy__Directory=/etc/envoy-govern/policy")]
    public string Directory { get; set; } = "";

    /// <summary>How often the content hash is checked, as a fallback for missed file events.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Quiet time after a change before reloading (kubelet writes several files and swaps a symlink).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(300);
}
