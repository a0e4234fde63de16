using System.Reflection;
using System.Text.RegularExpressions;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Drops the two construction tables that .NET's non-backtracking engine keeps after building a regex. The
/// engine builds its automaton over character sets represented as binary decision diagrams; the solver that
/// does so memoizes every set operation (intersection, union, complement of two diagrams) and hash-conses
/// every diagram node in two dictionaries, and the matcher keeps the solver, and so the dictionaries, for
/// the life of the regex. For the CRS's 27 long patterns they hold 145 of 167 MB (bench/README.md, "Memory
/// with the CRS, second pass"). Matching does not use that solver: the automaton works on the sets it was
/// built over (minterms as bit masks), and after 94,000 CRS payloads and random strings through all 27
/// patterns both tables were still empty. Were a runtime to use them again, they are caches: a miss
/// recomputes the same result. They are private to the runtime, so they are reached by reflection, each step
/// checked: when a runtime changes their shape, nothing is dropped and the regex works as before
/// (<c>LinearRegexTrimTests</c> fails on such a runtime, so that the lost memory is noticed).
/// </summary>
internal static class LinearRegexTrim
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>
    /// Replaces the construction tables of a non-backtracking <paramref name="regex"/>'s solver by empty
    /// ones. Call it before the regex is shared: it writes fields that matching threads could otherwise read.
    /// True when both tables were found.
    /// </summary>
    public static bool DropConstructionCache(Regex regex)
    {
        ArgumentNullException.ThrowIfNull(regex);
        if ((regex.Options & RegexOptions.NonBacktracking) == 0)
        {
            return false;
        }

        try
        {
            // Regex.factory -> SymbolicRegexRunnerFactory._matcher -> SymbolicRegexMatcher._builder
            // -> SymbolicRegexBuilder._charSetSolver -> CharSetSolver._operationCache and _bddCache.
            var factory = Field(regex, typeof(Regex), "factory");
            var matcher = Field(factory, factory?.GetType(), "_matcher");
            var builder = Field(matcher, matcher?.GetType(), "_builder");
            var solver = Field(builder, builder?.GetType(), "_charSetSolver");
            var found = true;
            foreach (var name in (ReadOnlySpan<string>)["_operationCache", "_bddCache"])
            {
                found &= Drop(solver, name);
            }

            return found;
        }
        catch (Exception ex) when (ex is FieldAccessException or TargetException or MemberAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static bool Drop(object? solver, string name)
    {
        var field = solver?.GetType().GetField(name, Instance);
        if (field?.GetValue(solver) is not System.Collections.IDictionary table || field.FieldType.GetConstructor(Type.EmptyTypes) is null)
        {
            return false;
        }

        if (table.Count > 0)
        {
            field.SetValue(solver, Activator.CreateInstance(field.FieldType));
        }

        return true;
    }

    private static object? Field(object? owner, Type? type, string name) =>
        owner is null ? null : type?.GetField(name, Instance)?.GetValue(owner);
}
