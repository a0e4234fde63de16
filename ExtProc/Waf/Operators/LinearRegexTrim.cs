using System.Reflection;
using System.Text.RegularExpressions;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Drops the memo table that .NET's non-backtracking engine keeps after building a regex. The engine
/// builds its automaton over character sets represented as binary decision diagrams; the solver that does so
/// memoizes every set operation of the construction (intersection, union, complement of two diagrams) in a
/// dictionary, and the matcher keeps the solver, and so the dictionary, for the life of the regex. For the
/// CRS's long word lists that table is 1 to 4 MB per pattern, about 60% of what the 27 linear patterns hold
/// (bench/README.md, "Memory with the CRS, second pass"). Matching does not depend on it: it is a cache of
/// results the solver recomputes, identically, on a miss; the diagrams themselves and their hash-consing
/// table stay. The table is private to the runtime, so it is reached by reflection, each step checked:
/// when a runtime changes its shape, nothing is trimmed and the regex keeps working as before
/// (<c>LinearRegexTrimTests</c> fails on such a runtime, so that the loss of memory is noticed).
/// </summary>
internal static class LinearRegexTrim
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>
    /// Replaces the solver's operation cache of a non-backtracking <paramref name="regex"/> by an empty one.
    /// Call it before the regex is shared: it writes a field that matching threads would otherwise read.
    /// True when a cache was found and dropped.
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
            // -> SymbolicRegexBuilder._charSetSolver -> CharSetSolver._operationCache.
            var factory = Field(regex, typeof(Regex), "factory");
            var matcher = Field(factory, factory?.GetType(), "_matcher");
            var builder = Field(matcher, matcher?.GetType(), "_builder");
            var solver = Field(builder, builder?.GetType(), "_charSetSolver");
            var cacheField = solver?.GetType().GetField("_operationCache", Instance);
            if (solver is null || cacheField is null || cacheField.GetValue(solver) is not System.Collections.IDictionary cache
                || cacheField.FieldType.GetConstructor(Type.EmptyTypes) is null)
            {
                return false;
            }

            if (cache.Count > 0)
            {
                cacheField.SetValue(solver, Activator.CreateInstance(cacheField.FieldType));
            }

            return true;
        }
        catch (Exception ex) when (ex is FieldAccessException or TargetException or MemberAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static object? Field(object? owner, Type? type, string name) =>
        owner is null ? null : type?.GetField(name, Instance)?.GetValue(owner);
}
