using AttentionVisually.SmallGpt;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>
/// Moves the small GPT's weights between TorchSharp's <see cref="TorchGptModel"/> and the managed
/// <see cref="GptWeights"/> (and so the safetensors checkpoint), by TorchSharp's state_dict names, and
/// gives the model GPT-2's initialisation.
/// </summary>
public static class TorchGptWeights
{
    /// <summary>
    /// GPT-2's initialisation (Radford et al. 2019; nanoGPT's <c>_init_weights</c>): every Linear weight and both
    /// embedding tables drawn from N(0, 0.02²), every bias zero, every LayerNorm gain one. TorchSharp's defaults
    /// (an N(0, 1) embedding) would start the tied unembedding with logits in the tens.
    /// </summary>
    /// <param name="model">The model; its parameters are overwritten in place from TorchSharp's seeded generator.</param>
    /// <param name="tokenEmbeddingStd">Standard deviation of the token table (GPT-2: 0.02).</param>
    public static void InitializeLikeGpt2(TorchGptModel model, double tokenEmbeddingStd = 0.02)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                nn.init.zeros_(p);
            }
            else if (name.Contains("norm", StringComparison.OrdinalIgnoreCase))
            {
                nn.init.ones_(p);
            }
            else
            {
                nn.init.normal_(p, 0.0, name == "tokens.weight" ? tokenEmbeddingStd : 0.02);
            }
        }
    }

    /// <summary>Copies the model's parameters into managed weights.</summary>
    /// <param name="model">The model.</param>
    /// <param name="config">The model's sizes as the core names them.</param>
    /// <returns>The weights.</returns>
    /// <exception cref="InvalidDataException">The model's tensors do not fit <paramref name="config"/>.</exception>
    public static GptWeights ToWeights(TorchGptModel model, TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var (name, t) in model.state_dict())
        {
            using var cpu = t.detach().cpu().contiguous();
            tensors[name] = new NamedTensor(cpu.shape.Select(d => (int)d).ToArray(), cpu.data<float>().ToArray());
        }
        return GptWeights.FromTensors(config, tensors, nameof(TorchGptModel));
    }

    /// <summary>Builds a TorchSharp model holding the given weights.</summary>
    /// <param name="weights">The weights.</param>
    /// <param name="device">Where the model lives; CPU when null.</param>
    /// <returns>The model (the caller disposes it).</returns>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static TorchGptModel ToModel(GptWeights weights, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var model = new TorchGptModel(weights.Config, device);
        using var noGrad = no_grad();
        var state = model.state_dict();
        foreach (var (name, tensor) in weights.ToTensors())
        {
            using var source = torch.tensor(tensor.Values, tensor.Shape.Select(d => (long)d).ToArray());
            state[name].copy_(source);
        }
        return model;
    }
}
