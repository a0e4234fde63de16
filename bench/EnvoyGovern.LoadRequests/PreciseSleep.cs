using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp with sub-millisecond precision. <see cref="Thread.Sleep(int)"/>
/// rounds to whole milliseconds, which at 20k req/s would send twenty calls together every millisecond; Linux's
/// <c>nanosleep</c> wakes within the thread's timer slack (50 µs by default), without spinning a core that the
/// server under test needs.
/// </summary>
internal static partial class PreciseSleep
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Returns at or shortly after <paramref name="timestamp"/>; at once if it has passed.</summary>
    public static void Until(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            var nanoseconds = (long)(remaining * ((double)NanosecondsPerSecond / Stopwatch.Frequency));
            if (!OperatingSystem.IsLinux())
            {
                Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, nanoseconds / 100)));
                continue;
            }

            var request = new Timespec { Seconds = nanoseconds / NanosecondsPerSecond, Nanoseconds = nanoseconds % NanosecondsPerSecond };
            _ = NanoSleep(in request, IntPtr.Zero);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // An interrupted sleep (EINTR) returns early; the loop above sleeps again for what is left.
    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in Timespec request, IntPtr remaining);
}
