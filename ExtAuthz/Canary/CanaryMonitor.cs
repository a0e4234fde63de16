using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.Options;
using Prometheus;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>
/// Every <see cref="CanaryOptions.EvaluationInterval"/>: takes in the halts the store holds (another
/// replica's, or an operator's resume), then judges every running canary of the active policy against
/// its guardrails and halts those that break one. Halting is set-if-absent in the store, so with several
/// replicas exactly one reports it, and all of them stop routing to the canary at their next pass.
/// </summary>
internal sealed class CanaryMonitor(
    PolicyStore policies,
    ICanaryStore store,
    CanaryHaltRegistry halts,
    IOptions<CanaryOptions> options,
    TimeProvider time,
    ILogger<CanaryMonitor> logger,
    AuditRecorder? audit = null) : BackgroundService
{
    private static readonly Gauge HaltedGauge = Metrics.CreateGauge(
        "envoygovern_canary_halted", "1 while a canary is halted.", new GaugeConfiguration { LabelNames = ["model", "canary"] });

    private static readonly Counter HaltsTotal = Metrics.CreateCounter(
        "envoygovern_canary_halts_total", "Canary halts by the guardrail that broke.", new CounterConfiguration { LabelNames = ["model", "canary", "reason"] });

    /// <summary>One pass: sync halts, then judge. Exposed for tests, which drive it without the timer.</summary>
    public async Task EvaluateOnceAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ReadHaltsAsync(cancellationToken);
        Sync(stored);
        if (policies.Current?.Get<AccessPolicy>() is not { } policy)
        {
            return;
        }

        foreach (var routing in policy.Documents.Select(d => d.Models).OfType<ModelResolver>().SelectMany(m => m.Routings))
        {
            foreach (var canary in routing.Canaries)
            {
                if (canary.Guardrails is not { } limits || halts.IsHalted(canary.Key) || !Durations.TryParse(limits.Window, out var window))
                {
                    continue;
                }

                var canaryWindow = await store.ReadAsync(routing.Model, canary.Cluster, window, cancellationToken);
                var stableWindow = await store.ReadAsync(routing.Model, routing.StableCluster, window, cancellationToken);
                if (Guardrails.Judge(limits, canaryWindow, stableWindow, time.GetUtcNow()) is not { } halt)
                {
                    continue;
                }

                if (await store.TryHaltAsync(canary.Key, halt, cancellationToken))
                {
                    HaltsTotal.WithLabels(routing.Model, canary.Name, halt.Reason).Inc();
                    CanaryLog.Halted(logger, routing.Model, canary.Name, halt.Reason, halt.Detail);
                    if (audit is not null)
                    {
                        await CanaryAudit.HaltedAsync(audit, canary.Key, halt, cancellationToken);
                    }
                }

                Halt(canary.Key, halt);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
        do
        {
            try
            {
                await EvaluateOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store outage must not stop the monitor: halts in force stay in force meanwhile.
                CanaryLog.EvaluationFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Sync(IReadOnlyDictionary<CanaryKey, CanaryHalt> stored)
    {
        foreach (var (key, halt) in stored)
        {
            Halt(key, halt);
        }

        foreach (var key in halts.Halts.Keys.Where(k => !stored.ContainsKey(k)).ToList())
        {
            if (halts.Resume(key))
            {
                HaltedGauge.WithLabels(key.Model, key.Canary).Set(0);
                CanaryLog.Resumed(logger, key.Model, key.Canary);
            }
        }
    }

    private void Halt(CanaryKey key, CanaryHalt halt)
    {
        if (halts.Halt(key, halt))
        {
            HaltedGauge.WithLabels(key.Model, key.Canary).Set(1);
        }
    }
}
