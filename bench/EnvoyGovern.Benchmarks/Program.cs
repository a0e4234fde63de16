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

        if (args is ["waf-ablate", ..])
        {
            WafAblation.Run([.. args.Skip(1)]);
            return;
        }

        if (args is ["waf-loop", ..])
        {
            WafLoop.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20, args is [.., "distinct"]);
            return;
        }

        if (args is ["audit-loop", ..])
        {
            var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
            if (args is [_, _, "devnull", ..])
            {
                AuditLoop.RunConcurrent(seconds, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 2);
                return;
            }

            AuditLoop.Run(seconds, args is [.., "stdout"]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
