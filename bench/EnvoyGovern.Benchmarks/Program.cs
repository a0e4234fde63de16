using BenchmarkDotNet.Running;

namespace EnvoyGovern.Benchmarks;

internal static class Program
{
    private static void Main(string[] args)
    {
        if (args is ["waf-memory"])
        {
            WafMemory.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
