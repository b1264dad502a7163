namespace AttentionVisually.SmallGpt;

/// <summary>
/// The sizes of the course's small GPT: a word-level vocabulary (<see cref="StoryGrammar.Vocabulary"/>), a
/// 48-token context, dModel 64, 4 heads of 16, feed-forward width 256, 2 blocks, biases everywhere, the token
/// embedding tied to the unembedding (GPT-2's layout at about a thousandth of GPT-2 small's width).
/// </summary>
public static class SmallGptConfig
{
    /// <summary>The model's name in tables and in the checkpoint's metadata.</summary>
    public const string Name = "course GPT";

    /// <summary>The configuration the course trains and ships (<c>data/small-gpt.safetensors</c>).</summary>
    public static TransformerConfig Default { get; } =
        new(Name, StoryGrammar.Vocabulary.Count, contextLength: 48, dModel: 64, numHeads: 4, headDim: 16, dFf: 256, numLayers: 2);
}
