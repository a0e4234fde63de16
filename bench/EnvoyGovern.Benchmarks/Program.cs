using BenchmarkDotNet.Running;

namespace EnvoyGovern.Benchmarks;

internal static class Program
{
    private static void Main(string[] args)
    {
        if (args is ["extproc-alloc", ..])
        {
            ExtProcAllocations.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
            return;
        }

        if (args is ["waf-memory"])
        {
            WafMemory.Run();
            return;
        }

        if (args is ["waf-alloc", ..])
        {
            WafAllocations.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000);
            return;
        }

        if (args is ["waf-first", ..])
        {
            WafFirstRequest.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
            return;
        }

        if (args is ["waf-loop", ..])
        {
            WafLoop.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20, args is [.., "distinct"]);
            return;
        }

        if (args is ["audit-loop", ..])
        {
            AuditLoop.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20, args is [.., "stdout"]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
