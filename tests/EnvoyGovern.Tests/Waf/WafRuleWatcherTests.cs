using EnvoyGovern.ExtProc.Waf.Inspection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Waf;

/// <summary>A changed CRS directory is reloaded; a broken change leaves the running rules in place.</summary>
public sealed class WafRuleWatcherTests : IDisposable
{
    private readonly string _crs = Directory.CreateTempSubdirectory("crs-").FullName;
    private readonly WafRuleSetProvider _provider;
    private readonly WafRuleWatcher _watcher;

    public WafRuleWatcherTests()
    {
        File.WriteAllText(Path.Combine(_crs, "crs-setup.conf"), "SecRuleEngine On\n");
        Directory.CreateDirectory(Path.Combine(_crs, "rules"));
        WriteRule("SecRule ARGS \"@contains one\" \"id:1001,phase:2,deny\"");
        var options = Options.Create(new WafOptions { CrsDirectory = _crs });
        _provider = new WafRuleSetProvider(options, new WafMetrics(), NullLogger<WafRuleSetProvider>.Instance);
        _watcher = new WafRuleWatcher(_provider, options, new FakeTimeProvider());
    }

    public void Dispose()
    {
        _watcher.Dispose();
        Directory.Delete(_crs, recursive: true);
    }

    private void WriteRule(string text) => File.WriteAllText(Path.Combine(_crs, "rules", "REQUEST-900-TEST.conf"), text + "\n");

    private int[] RuleIds => [.. _provider.Current.Phases[2].Select(r => r.Id)];

    [Fact]
    public void CheckOnce_Unchanged_NoReload()
    {
        Assert.False(_watcher.CheckOnce()); // the first check only notes what is there
        Assert.False(_watcher.CheckOnce());
        Assert.Equal([1001], RuleIds);
    }

    [Fact]
    public void CheckOnce_RuleFileChanged_NewRulesActive()
    {
        _watcher.CheckOnce();
        var before = _provider.Current;

        WriteRule("SecRule ARGS \"@contains two\" \"id:1002,phase:2,deny\"");

        Assert.True(_watcher.CheckOnce());
        Assert.NotSame(before, _provider.Current);
        Assert.Equal([1002], RuleIds);
        Assert.False(_watcher.CheckOnce());
    }

    [Fact]
    public void CheckOnce_BrokenRuleFile_OldRulesStay_FixedLater_Reloaded()
    {
        _watcher.CheckOnce();
        var before = _provider.Current;

        WriteRule("SecRule ARGS \"@noSuchOperator x\" \"id:1003,phase:2,deny\"");
        Assert.False(_watcher.CheckOnce());
        Assert.Same(before, _provider.Current);

        WriteRule("SecRule ARGS \"@contains three\" \"id:1004,phase:2,deny\"");
        Assert.True(_watcher.CheckOnce());
        Assert.Equal([1004], RuleIds);
    }

    [Fact]
    public void CheckOnce_DataFileAdded_Reloaded()
    {
        _watcher.CheckOnce();

        File.WriteAllText(Path.Combine(_crs, "rules", "words.data"), "evil\n");

        Assert.True(_watcher.CheckOnce());
    }
}
