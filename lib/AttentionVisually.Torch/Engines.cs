namespace AttentionVisually.Torch;

/// <summary>
/// Every attention engine this machine can run, for chapters and benches that compare them: the managed ones
/// always, the TorchSharp ones when its natives load (on the default device: CUDA where available, else CPU).
/// </summary>
public static class Engines
{
    /// <summary>The engines available here: managed explicit, managed fast, then TorchSharp explicit and fused when available.</summary>
    /// <returns>A new list; each engine has a distinct <see cref="IAttentionEngine.Name"/>.</returns>
    public static IReadOnlyList<IAttentionEngine> All()
    {
        var engines = new List<IAttentionEngine> { new ExplicitAttentionEngine(), new ManagedAttentionEngine() };
        if (TorchRuntime.IsAvailable)
        {
            engines.Add(new TorchAttentionEngine(TorchAttentionMode.Explicit));
            engines.Add(new TorchAttentionEngine(TorchAttentionMode.Fused));
        }
        return engines;
    }

    /// <summary>One line on the TorchSharp engine: available on which device and build, or why not.</summary>
    /// <returns>For example "available: cpu (TorchSharp-cpu build)" or "unavailable: ...".</returns>
    public static string TorchStatus()
    {
        try
        {
            TorchRuntime.EnsureAvailable();
            string device = TorchDevices.Default.type.ToString().ToLowerInvariant();
            return $"available: {device} (TorchSharp {TorchDevices.Flavor} build)";
        }
        catch (TorchUnavailableException e)
        {
            return "unavailable: " + e.Message;
        }
    }

    /// <summary>
    /// The parameter count TorchSharp itself reports for a GPT-like model of this configuration, built from
    /// its Embedding, LayerNorm and Linear modules with biases (see <see cref="TorchModules"/>); compare with
    /// <see cref="Sizing.Total"/>.
    /// </summary>
    /// <param name="config">The model's sizes.</param>
    /// <returns>The sum of numel() over the model's parameters.</returns>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static long TorchParameterCount(TransformerConfig config)
    {
        return TorchModules.CountParameters(config with { Bias = true });
    }
}
