using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EnvoyGovern.TestSupport;

/// <summary>
/// CPU time of the calling thread, for tests that compare how work grows with input size: wall time on a busy
/// test host counts the time the thread waited for a core, which made such ratios flaky; the thread's own CPU
/// time does not. Falls back to wall time where the thread clock is not available.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3; // Linux CLOCK_THREAD_CPUTIME_ID

    /// <summary>The least of <paramref name="runs"/> measurements of <paramref name="work"/> on this thread.</summary>
    public static TimeSpan Minimum(Action work, int runs = 3)
    {
        ArgumentNullException.ThrowIfNull(work);
        var best = TimeSpan.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            var start = Now();
            work();
            var elapsed = Now() - start;
            best = elapsed < best ? elapsed : best;
        }

        return best;
    }

    private static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var time) == 0)
        {
            return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
        }

        return Stopwatch.GetElapsedTime(0);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
