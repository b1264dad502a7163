using AttentionVisually.Torch;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>torch</c> command: <see cref="TorchBench.Run"/> (every engine of <see cref="Engines.All"/>, single-head
/// causal n = 256, 1024, 4096 with d = 64, and a GPT-2-small-sized block: n = 1024, dModel 768, 12 heads), then
/// the resident memory of the process over <c>--calls</c> calls of each TorchSharp engine.
/// </summary>
internal static class TorchBenchCommand
{
    public static int Run(Arguments a)
    {
        TorchRuntime.EnsureAvailable();
        int? threads = a.Text("threads") is null ? null : a.Int("threads", 0);
        TorchBench.Run(Console.Out, minSeconds: a.Double("budget", 1), torchThreads: threads);

        int calls = a.Int("calls", 10_000);
        if (calls > 0 && OperatingSystem.IsLinux())
        {
            Console.WriteLine($"Resident memory (VmRSS) over {calls:N0} causal calls, n = d = 64:");
            foreach (TorchAttentionMode mode in new[] { TorchAttentionMode.Explicit, TorchAttentionMode.Fused })
            {
                var readings = TorchBench.ResidentMemory(new TorchAttentionEngine(mode, TorchDevices.Cpu), calls);
                Console.WriteLine($"  {mode,-8} " + string.Join("  ", readings.Select(r => $"{r.Calls}: {r.RssKiB / 1024.0:F1} MiB")));
            }
        }
        return 0;
    }
}
