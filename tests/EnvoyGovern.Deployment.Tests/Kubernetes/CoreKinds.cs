using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>
/// Checks built-in kinds against Kubernetes' API types as KubernetesClient generates them from Kubernetes'
/// OpenAPI spec: the manifest's JSON is deserialized into the typed model with unknown members refused, so a
/// misspelt or misplaced field and a wrongly typed value (a string for an integer, a list for a map) are errors.
/// </summary>
/// <remarks>
/// No OpenAPI document of Kubernetes itself is available offline, and the generated types carry neither
/// enums nor required markers, so those are checked here for the fields the chart uses (<see cref="_enums"/>,
/// <see cref="_required"/>): a small structural check written from the API reference, not the full schema.
/// </remarks>
internal static class CoreKinds
{
    private static readonly Dictionary<(string ApiVersion, string Kind), Type> _types = new()
    {
        [("v1", "ConfigMap")] = typeof(V1ConfigMap),
        [("v1", "Service")] = typeof(V1Service),
        [("v1", "ServiceAccount")] = typeof(V1ServiceAccount),
        [("v1", "Secret")] = typeof(V1Secret),
        [("apps/v1", "Deployment")] = typeof(V1Deployment),
        [("policy/v1", "PodDisruptionBudget")] = typeof(V1PodDisruptionBudget),
        [("autoscaling/v2", "HorizontalPodAutoscaler")] = typeof(V2HorizontalPodAutoscaler),
        [("networking.k8s.io/v1", "NetworkPolicy")] = typeof(V1NetworkPolicy),
        [("rbac.authorization.k8s.io/v1", "Role")] = typeof(V1Role),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = typeof(V1RoleBinding),
    };

    // Path patterns ('*' is any array index or map key) -> allowed values, from the API reference.
    private static readonly (Regex Path, string[] Allowed)[] _enums =
    [
        (Path("spec.template.spec.containers.*.imagePullPolicy"), ["Always", "IfNotPresent", "Never"]),
        (Path("spec.template.spec.containers.*.ports.*.protocol"), ["TCP", "UDP", "SCTP"]),
        (Path("spec.ports.*.protocol"), ["TCP", "UDP", "SCTP"]),
        (Path("spec.template.spec(.containers.*)?.securityContext.seccompProfile.type"), ["RuntimeDefault", "Localhost", "Unconfined"]),
        (Path("spec.template.spec.containers.*.securityContext.capabilities.(drop|add).*"), ["ALL", "NET_BIND_SERVICE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "KILL", "NET_RAW", "SYS_PTRACE"]),
        (Path("spec.template.spec.topologySpreadConstraints.*.whenUnsatisfiable"), ["DoNotSchedule", "ScheduleAnyway"]),
        (Path("spec.strategy.type"), ["RollingUpdate", "Recreate"]),
        (Path("spec.type"), ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
        (Path("spec.policyTypes.*"), ["Ingress", "Egress"]),
        (Path("spec.metrics.*.type"), ["Resource", "Pods", "Object", "External", "ContainerResource"]),
        (Path("spec.metrics.*.resource.target.type"), ["Utilization", "Value", "AverageValue"]),
        (Path("spec.behavior.scale(Up|Down).policies.*.type"), ["Pods", "Percent"]),
        (Path("subjects.*.kind"), ["User", "Group", "ServiceAccount"]),
        (Path("roleRef.kind"), ["Role", "ClusterRole"]),
        (Path("spec.unhealthyPodEvictionPolicy"), ["IfHealthyBudget", "AlwaysAllow"]),
    ];

    // Kind -> paths that must be present (with every array element for '*').
    private static readonly Dictionary<string, string[]> _required = new(StringComparer.Ordinal)
    {
        ["Deployment"] = ["metadata.name", "spec.selector", "spec.template", "spec.template.spec.containers.*.name", "spec.template.spec.containers.*.image"],
        ["Service"] = ["metadata.name", "spec.ports.*.port"],
        ["PodDisruptionBudget"] = ["metadata.name", "spec.selector"],
        ["HorizontalPodAutoscaler"] = ["metadata.name", "spec.scaleTargetRef.kind", "spec.scaleTargetRef.name", "spec.maxReplicas"],
        ["NetworkPolicy"] = ["metadata.name", "spec.podSelector"],
        ["RoleBinding"] = ["metadata.name", "roleRef.kind", "roleRef.name", "subjects.*.kind", "subjects.*.name"],
        ["Role"] = ["metadata.name", "rules.*.verbs"],
        ["ConfigMap"] = ["metadata.name"],
        ["ServiceAccount"] = ["metadata.name"],
    };

    // KubernetesClient's own options (int-or-string, quantities, times), with unknown members refused.
    private static readonly Lazy<bool> _strict = new(() =>
    {
        KubernetesJson.AddJsonOptions(options => options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);
        return true;
    });

    public static bool Contains(string apiVersion, string kind) => _types.ContainsKey((apiVersion, kind));

    public static IReadOnlyList<string> Validate(Manifest manifest)
    {
        if (!_types.TryGetValue((manifest.ApiVersion, manifest.Kind), out var type))
        {
            return [$"{manifest}: no Kubernetes type for {manifest.ApiVersion} {manifest.Kind}"];
        }

        _ = _strict.Value;
        var errors = new List<string>();
        try
        {
            var model = typeof(KubernetesJson).GetMethods()
                .Single(m => m.Name == nameof(KubernetesJson.Deserialize) && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string))
                .MakeGenericMethod(type)
                .Invoke(null, [manifest.Root.ToJsonString(), null]);
            if (model is null)
            {
                errors.Add($"{manifest}: empty");
            }
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is JsonException json)
        {
            errors.Add($"{manifest}: {json.Message}");
        }

        foreach (var (path, value) in Leaves(manifest.Root, ""))
        {
            foreach (var (pattern, allowed) in _enums.Where(e => e.Path.IsMatch(path)))
            {
                if (value is not JsonValue text || !text.TryGetValue<string>(out var s) || !allowed.Contains(s, StringComparer.Ordinal))
                {
                    errors.Add($"{manifest}: {path}: {value?.ToJsonString() ?? "null"} is not one of {string.Join(", ", allowed)}");
                }
            }
        }

        foreach (var path in _required.GetValueOrDefault(manifest.Kind, []))
        {
            errors.AddRange(Missing(manifest.Root, path.Split('.'), "").Select(p => $"{manifest}: {p}: required"));
        }

        return errors;
    }

    private static Regex Path(string pattern) =>
        new("^" + pattern.Replace(".", "\\.", StringComparison.Ordinal).Replace("\\.*", "\\.[^.]+", StringComparison.Ordinal) + "$", RegexOptions.NonBacktracking);

    private static IEnumerable<(string Path, JsonNode? Value)> Leaves(JsonNode? node, string path)
    {
        var children = node switch
        {
            JsonObject obj => obj.Select(p => (Key: p.Key, Value: p.Value)),
            JsonArray array => array.Select((v, i) => (Key: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value: v)),
            _ => null,
        };
        if (children is null)
        {
            yield return (path, node);
            yield break;
        }

        foreach (var (key, value) in children)
        {
            foreach (var leaf in Leaves(value, path.Length == 0 ? key : $"{path}.{key}"))
            {
                yield return leaf;
            }
        }
    }

    private static IEnumerable<string> Missing(JsonNode? node, string[] parts, string path)
    {
        if (parts.Length == 0)
        {
            yield break;
        }

        var (head, rest) = (parts[0], parts[1..]);
        if (head == "*")
        {
            foreach (var (item, index) in (node as JsonArray ?? []).Select((item, index) => (item, index)))
            {
                foreach (var missing in Missing(item, rest, $"{path}.{index}"))
                {
                    yield return missing;
                }
            }

            yield break;
        }

        var child = (node as JsonObject)?[head];
        var childPath = path.Length == 0 ? head : $"{path}.{head}";
        if (child is null)
        {
            yield return childPath;
            yield break;
        }

        foreach (var missing in Missing(child, rest, childPath))
        {
            yield return missing;
        }
    }
}
