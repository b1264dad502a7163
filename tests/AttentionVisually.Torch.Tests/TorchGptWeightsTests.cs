using AttentionVisually.SmallGpt;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

public class TorchGptWeightsTests : IClassFixture<SmallGptFixture>
{
    private readonly SmallGptFixture shipped;

    public TorchGptWeightsTests(SmallGptFixture shipped) => this.shipped = shipped;

    private static float MaxDifference(SmallGptModel managed, TorchGptModel torch, IReadOnlyList<string> words)
    {
        var logits = managed.Run(words).Logits; // (seqLen, vocab)
        using var ids = tensor(StoryGrammar.Encode(words).Select(i => (long)i).ToArray(), [1, words.Count]);
        using var torchLogits = torch.forward(ids);
        float[] t = torchLogits.data<float>().ToArray();
        Assert.Equal(logits.RowCount * logits.ColumnCount, t.Length);
        float max = 0;
        for (int i = 0; i < logits.RowCount; i++)
        {
            for (int j = 0; j < logits.ColumnCount; j++)
            {
                max = Math.Max(max, Math.Abs(logits[i, j] - t[(i * logits.ColumnCount) + j]));
            }
        }
        return max;
    }

    [Theory]
    [InlineData(StoryTask.AdjectiveNoun)]
    [InlineData(StoryTask.Mystery)]
    [InlineData(StoryTask.Harry)]
    public void Managed_logits_equal_TorchSharp_logits_within_1e_4_for_the_shipped_checkpoint(StoryTask task)
    {
        using var torch = TorchGptWeights.ToModel(shipped.Weights);
        foreach (var s in GptProbe.HeldOut(task, 5))
        {
            Assert.InRange(MaxDifference(shipped.Model, torch, s.Tokens), 0f, 1e-4f);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Managed_logits_equal_TorchSharp_logits_for_randomly_initialised_weights_within_1e_5_of_their_scale(int seed)
    {
        random.manual_seed(seed);
        var config = SmallGptConfig.Default with { NumLayers = 2 };
        using var torch = new TorchGptModel(config);
        TorchGptWeights.InitializeLikeGpt2(torch);
        using (no_grad())
        {
            foreach (var p in torch.parameters()) p.mul_(4); // large enough that every part of the pass matters (float32 error grows with the weights)
        }
        var managed = new SmallGptModel(TorchGptWeights.ToWeights(torch, config));

        var words = GptProbe.HeldOut(StoryTask.Mystery, 1)[0].Tokens;
        float difference = MaxDifference(managed, torch, words);
        float scale = managed.Run(words).Logits.Enumerate().Max(Math.Abs);

        Assert.True(scale > 1f, $"logits up to {scale}: the test weights are too small to test anything");
        Assert.InRange(difference, 0f, 1e-5f * scale);
    }

    [Fact]
    public void The_course_GPT_has_as_many_parameters_in_TorchSharp_as_the_sizing_code_counts()
    {
        Assert.Equal(Sizing.Total(SmallGptConfig.Default), TorchModules.CountParameters(SmallGptConfig.Default));
    }

    [Fact]
    public void Weights_copied_into_TorchSharp_and_back_are_unchanged()
    {
        using var torch = TorchGptWeights.ToModel(shipped.Weights);
        var back = TorchGptWeights.ToWeights(torch, shipped.Weights.Config);

        Assert.All(shipped.Weights.ToTensors().Zip(back.ToTensors()), p => Assert.Equal(p.First.Value.Values, p.Second.Value.Values));
    }
}
