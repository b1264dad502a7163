using AttentionVisually.Torch;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

public class TorchModulesTests
{
    [Fact]
    public void Gpt2_small_has_its_published_124_439_808_parameters()
    {
        Assert.Equal(124_439_808L, TorchModules.CountParameters(ModelCatalog.Get("GPT-2 small")));
    }

    [Theory]
    [InlineData(768, 12, 3072, 12, 50257, 1024, true)]
    [InlineData(768, 12, 3072, 12, 50257, 1024, false)]
    [InlineData(64, 4, 256, 2, 100, 32, true)]
    [InlineData(1600, 25, 6400, 48, 50257, 1024, true)] // GPT-2 XL, 1.5 billion: built on the meta device, no memory
    public void The_modules_hold_as_many_parameters_as_the_layer_by_layer_sum(int dModel, int numHeads, int dFf, int layers, int vocab, int context, bool bias)
    {
        long d = dModel, b = bias ? 1 : 0;
        long layerNorm = d + (b * d);
        long attention = (d * 3 * d) + (b * 3 * d) + (d * d) + (b * d);
        long feedForward = (d * dFf) + (b * dFf) + ((long)dFf * d) + (b * d);
        long expected = (vocab * d) + (context * d) + (layers * ((2 * layerNorm) + attention + feedForward)) + layerNorm;

        var config = new TransformerConfig("layer by layer", vocab, context, dModel, numHeads, TransformerConfig.EvenHeadDim(dModel, numHeads), dFf, layers, bias);
        Assert.Equal(expected, TorchModules.CountParameters(config));
    }

    [Theory]
    [InlineData("GPT-2 small")]
    [InlineData("GPT-3 Small")]
    public void TorchSharp_counts_as_many_parameters_as_the_course_sizing_for_catalog_models(string name)
    {
        TransformerConfig config = ModelCatalog.Get(name);
        Assert.Equal(Sizing.Total(config), Engines.TorchParameterCount(config));
    }

    [Fact]
    public void Heads_narrower_than_d_model_over_num_heads_are_counted_like_the_course_sizing()
    {
        // Shaped like GPT-3 13B (dModel 5140, 40 heads of 128), scaled down: 20 = dModel, 2 heads of 8.
        var config = new TransformerConfig("narrow heads", vocabSize: 50, contextLength: 16, dModel: 20, numHeads: 2, headDim: 8, dFf: 80, numLayers: 3);
        Assert.Equal(Sizing.Total(config), Engines.TorchParameterCount(config));
    }

    [Fact]
    public void The_attention_block_equals_multi_head_attention_with_its_weights()
    {
        const int dModel = 16, numHeads = 4, headDim = 4, seqLen = 7;
        manual_seed(3);
        using var block = new TorchAttentionBlock(dModel, numHeads, bias: false);
        Matrix<float> qkv = TensorConvert.ToMatrix(block.Qkv.weight!);       // (3 dModel, dModel)
        Matrix<float> output = TensorConvert.ToMatrix(block.Output.weight!); // (dModel, dModel)
        Matrix<float>[] Rows(int offset) =>
            Enumerable.Range(0, numHeads).Select(h => qkv.SubMatrix(offset + (h * headDim), headDim, 0, dModel)).ToArray();
        Matrix<float>[] valueUp = Enumerable.Range(0, numHeads).Select(h => output.SubMatrix(0, dModel, h * headDim, headDim)).ToArray();
        using var attention = new TorchMultiHeadAttention(Rows(0), Rows(dModel), Rows(2 * dModel), valueUp, TorchAttentionMode.Explicit, TorchDevices.Cpu);

        Matrix<float> e = NaiveAttention.Random(11, seqLen, dModel);
        using Tensor eT = TensorConvert.ToTensor(e);
        using Tensor fromBlock = block.forward(eT);
        Matrix<float> difference = TensorConvert.ToMatrix(fromBlock) - attention.Forward(e, isCausal: true);
        Assert.True(difference.Enumerate().All(x => Math.Abs(x) < 1e-5f), $"max difference {difference.Enumerate().Max(Math.Abs)}");
    }

    [Fact]
    public void The_model_gives_logits_for_every_position_and_never_looks_ahead()
    {
        var config = new TransformerConfig("tiny", vocabSize: 50, contextLength: 16, dModel: 32, numHeads: 4, headDim: 8, dFf: 64, numLayers: 2);
        manual_seed(5);
        using var model = new TorchGptModel(config);
        using Tensor ids = tensor(new long[] { 3, 14, 15, 9, 26, 5 });
        using Tensor changedLast = tensor(new long[] { 3, 14, 15, 9, 26, 49 });
        using Tensor logits = model.forward(ids);
        using Tensor logitsChanged = model.forward(changedLast);

        Assert.Equal(new long[] { 6, 50 }, logits.shape);
        using Tensor firstFive = logits[..5], firstFiveChanged = logitsChanged[..5];
        Assert.True(firstFive.allclose(firstFiveChanged, rtol: 0, atol: 1e-6));
        using Tensor last = logits[5], lastChanged = logitsChanged[5];
        Assert.False(last.allclose(lastChanged));
    }

    [Fact]
    public void A_head_count_that_does_not_divide_d_model_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => TransformerConfig.Create("uneven", vocabSize: 100, contextLength: 16, dModel: 30, numHeads: 4, numLayers: 1));
        Assert.Equal("numHeads", ex.ParamName);
    }
}
