using System.Globalization;

namespace EnvoyGovern.LoadRequests;

/// <summary>Another process's CPU time (user + system) from <c>/proc/PID/stat</c>, as bench/load/run.sh reads it.</summary>
internal static class ProcessCpu
{
    // USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds the process has used so far; 0 for pid 0 or where /proc is missing.</summary>
    public static double Seconds(int pid)
    {
        var path = $"/proc/{pid}/stat";
        if (pid <= 0 || !File.Exists(path))
        {
            return 0;
        }

        // The command name (field 2) may hold spaces; the fields counted from after its closing parenthesis.
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
