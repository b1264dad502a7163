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

    public static TheoryData<int, int, int> AttentionGrid()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int seqLen in new[] { 1, 7, 64, 300 })
        {
            foreach (int headDim in new[] { 1, 16, 64 })
            {
                foreach (int numHeads in new[] { 1, 4, 12 })
                {
                    data.Add(seqLen, headDim, numHeads);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AttentionGrid))]
    public void The_attention_block_matches_the_double_reference_and_the_managed_block_with_its_weights(int seqLen, int headDim, int numHeads)
    {
        int dModel = numHeads * headDim;
        manual_seed((seqLen * 1000) + (headDim * 10) + numHeads);
        using var block = new TorchAttentionBlock(dModel, numHeads, bias: false);
        AttentionHead[] heads = HeadsOf(block, numHeads, headDim);
        Matrix<float> e = AttentionReference.Random(seqLen, dModel, seqLen + headDim + numHeads);
        double[,] expected = Reference(e, heads);
        Matrix<float> managed = new MultiHeadAttention(heads).Forward(e, Mask.Causal(seqLen)).DeltaE;

        using Tensor eT = TensorConvert.ToTensor(e);
        using Tensor deltaET = block.forward(eT);
        Matrix<float> deltaE = TensorConvert.ToMatrix(deltaET);
        Assert.Equal((seqLen, dModel), (deltaE.RowCount, deltaE.ColumnCount));
        double error = AttentionReference.RelativeError(deltaE, expected);
        Assert.True(error <= AttentionTolerance, $"relative error {error:E2} > {AttentionTolerance:E0} against the double reference");
        double errorManaged = AttentionReference.RelativeError(deltaE, managed);
        Assert.True(errorManaged <= AttentionTolerance, $"relative error {errorManaged:E2} > {AttentionTolerance:E0} against the managed block");
    }

    [Fact]
    public void The_attention_block_treats_every_sequence_of_a_batch_on_its_own()
    {
        manual_seed(4);
        using var block = new TorchAttentionBlock(dModel: 12, numHeads: 3);
        Matrix<float> first = AttentionReference.Random(6, 12, 1), second = AttentionReference.Random(6, 12, 2);
        using Tensor firstT = TensorConvert.ToTensor(first), secondT = TensorConvert.ToTensor(second);
        using Tensor batch = stack(new[] { firstT, secondT });                      // (2, 6, 12)
        using Tensor together = block.forward(batch);
        Assert.Equal(new long[] { 2, 6, 12 }, together.shape);
        using Tensor alone0 = block.forward(firstT), alone1 = block.forward(secondT);
        using Tensor together0 = together[0], together1 = together[1];
        Assert.True(AttentionReference.RelativeError(TensorConvert.ToMatrix(together0), TensorConvert.ToMatrix(alone0)) <= AttentionTolerance);
        Assert.True(AttentionReference.RelativeError(TensorConvert.ToMatrix(together1), TensorConvert.ToMatrix(alone1)) <= AttentionTolerance);
    }

    [Fact]
    public void The_attention_block_rejects_another_d_model_an_empty_sequence_and_non_float_tensors_naming_x()
    {
        using var block = new TorchAttentionBlock(dModel: 8, numHeads: 2);
        using Tensor wide = zeros(5, 9), empty = zeros(0, 8), doubles = zeros(5, 8, ScalarType.Float64), flat = zeros(8);
        var ex = Assert.Throws<ArgumentException>(() => block.forward(wide));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("(5, 9)", ex.Message);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => block.forward(empty)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => block.forward(flat)).ParamName);
        Assert.Contains("Float64", Assert.Throws<ArgumentException>(() => block.forward(doubles)).Message);
    }

    [Fact]
    public void The_attention_blocks_weights_stay_valid_outside_the_callers_dispose_scope()
    {
        Matrix<float> e = AttentionReference.Random(5, 8, 2);
        TorchAttentionBlock block;
        using (NewDisposeScope())
        {
            manual_seed(6);
            block = new TorchAttentionBlock(dModel: 8, numHeads: 2, bias: false);
        }
        using (block)
        {
            using Tensor eT = TensorConvert.ToTensor(e);
            using Tensor deltaE = block.forward(eT);
            Assert.True(AttentionReference.RelativeError(TensorConvert.ToMatrix(deltaE), Reference(e, HeadsOf(block, 2, 4))) <= AttentionTolerance);
        }
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

    private const double AttentionTolerance = 1e-5;

    // The block's weights as the core's heads: Qkv's rows are every head's wQ, then every wK, then every
    // wValueDown; Output's columns are every head's wValueUp.
    private static AttentionHead[] HeadsOf(TorchAttentionBlock block, int numHeads, int headDim)
    {
        Matrix<float> qkv = TensorConvert.ToMatrix(block.Qkv.weight!);       // (3 numHeads headDim, dModel)
        Matrix<float> output = TensorConvert.ToMatrix(block.Output.weight!); // (dModel, numHeads headDim)
        int inner = numHeads * headDim, dModel = qkv.ColumnCount;
        Matrix<float> Rows(int offset, int h) => qkv.SubMatrix(offset + (h * headDim), headDim, 0, dModel); // (headDim, dModel)
        return Enumerable.Range(0, numHeads)
            .Select(h => new AttentionHead(Rows(0, h), Rows(inner, h), Rows(2 * inner, h), output.SubMatrix(0, dModel, h * headDim, headDim)))
            .ToArray();
    }

    // Causal multi-head self-attention in double, head by head: the sum over heads of wValueUp (head's output).
    private static double[,] Reference(Matrix<float> e, AttentionHead[] heads)
    {
        int dModel = e.ColumnCount;
        var deltaE = new double[e.RowCount, dModel];
        foreach (AttentionHead head in heads)
        {
            Matrix<float> valueUp = head.WValueUp; // a copy: read it once, not per entry
            double[,] attended = AttentionReference.Attend(
                AttentionReference.Project(e, head.WQ), AttentionReference.Project(e, head.WK), AttentionReference.Project(e, head.WValueDown), isCausal: true); // (seqLen, headDim)
            for (int i = 0; i < e.RowCount; i++)
            {
                for (int m = 0; m < dModel; m++)
                {
                    double sum = 0;
                    for (int c = 0; c < attended.GetLength(1); c++)
                    {
                        sum += attended[i, c] * valueUp[m, c];
                    }
                    deltaE[i, m] += sum;
                }
            }
        }
        return deltaE;
    }
}
