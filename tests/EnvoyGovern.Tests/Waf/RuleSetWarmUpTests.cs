using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Inspection;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Waf;

/// <summary>A loaded ruleset runs ordinary exchanges before it serves, so that no request pays for a cold engine.</summary>
public sealed class RuleSetWarmUpTests
{
    [Fact]
    public void Run_FullCrs_EveryPhaseCompletes()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });

        var error = Record.Exception(() => RuleSetWarmUp.Run(rules));

        Assert.Null(error);
    }

    [Fact]
    public void Constructor_CrsDirectory_WarmsUpAfterLoadingWithoutFailure()
    {
        var logger = new EventLogger<WafRuleSetProvider>();

        _ = new WafRuleSetProvider(Options.Create(new WafOptions { CrsDirectory = RepoPaths.Crs }), new WafMetrics(), logger);

        Assert.Equal([2100, 2106], logger.EventIds.Where(id => id is 2100 or 2106 or 2107));
    }

    [Fact]
    public void Reload_BuiltInRules_WarmsUpTheNewRules()
    {
        var logger = new EventLogger<WafRuleSetProvider>();
        var provider = new WafRuleSetProvider(Options.Create(new WafOptions()), new WafMetrics(), logger);

        Assert.True(provider.Reload());

        Assert.Equal([2100, 2106, 2100, 2106], logger.EventIds.Where(id => id is 2100 or 2106 or 2107));
    }

    [Fact]
    public async Task Constructor_BuiltInRules_WarmsUpAgainOnceTheRegexesAreCompiled()
    {
        var logger = new EventLogger<WafRuleSetProvider>();

        _ = new WafRuleSetProvider(Options.Create(new WafOptions()), new WafMetrics(), logger);

        // The compilation runs in the background: wait for its end, bounded so that a hang fails the test.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!logger.EventIds.Contains(2108) && !logger.EventIds.Contains(2107) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal([2100, 2106, 2104, 2108], logger.EventIds.Where(id => id is 2100 or 2104 or 2106 or 2107 or 2108));
    }

    // Records the event ids logged, in order; a small fake instead of a mocking framework.
    private sealed class EventLogger<T> : ILogger<T>
    {
        private readonly List<int> _events = [];

        public IReadOnlyList<int> EventIds
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events)
            {
                _events.Add(eventId.Id);
            }
        }
    }
}
