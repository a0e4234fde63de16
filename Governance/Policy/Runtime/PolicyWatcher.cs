using System.Threading.Channels;
using EnvoyGovern.Governance.Policy.Loading;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>
/// Loads the policy before the service takes traffic, then keeps it current. Kubernetes updates a
/// ConfigMap volume by writing a new hidden directory and swapping the <c>..data</c> symlink, which
/// file watchers may not report for the visible names; so events only trigger a check, a poll of the
/// content hash backs them up, and every reload is debounced, validated in full and swapped atomically.
/// </summary>
internal sealed class PolicyWatcher(
    PolicyStore store,
    PolicyMetrics metrics,
    IOptions<PolicyOptions> options,
    IEnumerable<IPolicyChangeObserver> observers,
    TimeProvider time,
    ILogger<PolicyWatcher> logger) : BackgroundService, IHostedLifecycleService
{
    private readonly IPolicyChangeObserver[] _observers = observers.ToArray();
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private string Directory => options.Value.Directory;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Before the listeners open: the first request already sees a policy (or readiness says why not).
        Reload();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = CreateWatcher();
        using var poll = new PeriodicTimer(options.Value.PollInterval, time);
        var polling = PollAsync(poll, stoppingToken);
        try
        {
            while (await _signals.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(options.Value.Debounce, time, stoppingToken);
                while (_signals.Reader.TryRead(out _))
                {
                    // Changes during the quiet time are covered by the reload below.
                }

                Reload();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await polling;
    }

    /// <summary>Reads, validates and (when valid and changed) activates the directory's policy.</summary>
    public PolicyApplyOutcome Reload()
    {
        PolicyLoadResult result;
        try
        {
            if (store.LastOfferedHash is not null && PolicyLoader.HashDirectory(Directory) == store.LastOfferedHash)
            {
                return PolicyApplyOutcome.Unchanged;
            }

            result = PolicyLoader.LoadDirectory(Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // kubelet may be between writing files and swapping the link; the next signal or poll retries.
            PolicyLog.ReadFailed(logger, Directory, ex);
            Notify(new PolicyChange
            {
                Kind = PolicyChangeKind.Rejected,
                Directory = Directory,
                PreviousVersion = store.Current?.Version,
                Errors = [$"reading the policy directory failed: {ex.Message}"],
            });
            return PolicyApplyOutcome.Rejected;
        }

        var previousVersion = store.Current?.Version;
        var previous = previousVersion ?? "none";
        var outcome = store.Apply(result, out var errors);
        switch (outcome)
        {
            case PolicyApplyOutcome.Applied:
                var current = store.Current!;
                metrics.Applied(current.Version);
                PolicyLog.Applied(logger, current.Version, current.Set.Documents.Count, Directory, previous);
                Notify(new PolicyChange
                {
                    Kind = previousVersion is null ? PolicyChangeKind.Loaded : PolicyChangeKind.Reloaded,
                    Directory = Directory,
                    PreviousVersion = previousVersion,
                    Version = current.Version,
                    Documents = [.. current.Set.Documents.Select(d => d.Document.Metadata.Name)],
                });
                break;
            case PolicyApplyOutcome.Rejected:
                metrics.Rejected();
                PolicyLog.Rejected(logger, Directory, errors.Count, previous, errors.Count > 0 ? errors[0].ToString() : "unknown");
                foreach (var error in errors)
                {
                    PolicyLog.Error(logger, error.ToString());
                }

                Notify(new PolicyChange
                {
                    Kind = PolicyChangeKind.Rejected,
                    Directory = Directory,
                    PreviousVersion = previousVersion,
                    Version = result.Hash.Length >= 16 ? result.Hash[..16] : null,
                    Errors = [.. errors.Select(e => e.ToString())],
                });
                break;
        }

        return outcome;
    }

    private void Notify(PolicyChange change)
    {
        foreach (var observer in _observers)
        {
            observer.OnPolicyChanged(change);
        }
    }

    private async Task PollAsync(PeriodicTimer poll, CancellationToken stoppingToken)
    {
        try
        {
            while (await poll.WaitForNextTickAsync(stoppingToken))
            {
                _signals.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private FileSystemWatcher? CreateWatcher()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _signals.Writer.TryWrite(true);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => _signals.Writer.TryWrite(true);
        watcher.Error += (_, _) => _signals.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
