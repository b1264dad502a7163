using Google.Protobuf;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace AttentionVisually.Tests;

public class RealModelForwardTests
{
    private const double Tolerance = 1e-4;
    private static MiniLm Model => MiniLm.Shared;

    /// <summary>
    /// The packaged graph with every hidden state and every Softmax also exposed as outputs, run by
    /// ONNX Runtime: a reference for the intermediate steps, not only the last one.
    /// </summary>
    private static readonly Lazy<InferenceSession> Instrumented = new(() =>
    {
        var model = RealModelFixture.ParseModel();
        var exposed = Model.Mapping.HiddenStateTensors.Concat(Model.Mapping.PatternTensors)
            .Where(name => model.Graph.Output.All(o => o.Name != name));
        foreach (string name in exposed)
            model.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        return new InferenceSession(model.ToByteArray());
    });

    [Theory]
    [MemberData(nameof(RealModelFixture.Sentences), MemberType = typeof(RealModelFixture))]
    public void The_last_hidden_state_equals_ONNX_Runtimes_within_1e_4(string sentence)
    {
        var tokens = Model.Tokenize(sentence);
        var ours = Model.Forward(tokens).LastHiddenState;
        var reference = MiniLmOnnxRuntime.LastHiddenState(tokens);
        Assert.Equal((tokens.Count, 384), (ours.RowCount, ours.ColumnCount));
        Assert.Equal((tokens.Count, 384), (reference.RowCount, reference.ColumnCount));
        Assert.True(MaxAbs(ours, reference) < Tolerance, $"max |ours − ONNX Runtime| = {MaxAbs(ours, reference):G3}");
    }

    public static TheoryData<string, string> SentencesAndEngines()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in RealModelFixture.Sentences)
            foreach (string engine in new[] { "explicit", "flash" })
                data.Add(row, engine);
        return data;
    }

    [Theory]
    [MemberData(nameof(SentencesAndEngines))]
    public void Through_an_attention_engine_the_last_hidden_state_also_equals_ONNX_Runtimes(string sentence, string engineKind)
    {
        IAttentionEngine engine = engineKind == "flash" ? new ManagedAttentionEngine() : new ExplicitAttentionEngine();
        var tokens = Model.Tokenize(sentence);
        var output = Model.Forward(tokens, engine);
        Assert.Null(output.Patterns);
        Assert.Equal(engine.Name, output.AttentionName);
        var reference = MiniLmOnnxRuntime.LastHiddenState(tokens);
        Assert.True(MaxAbs(output.LastHiddenState, reference) < Tolerance, $"max |{engine.Name} − ONNX Runtime| = {MaxAbs(output.LastHiddenState, reference):G3}");
    }

    [Theory]
    [InlineData("a fluffy blue creature roamed the verdant forest")]
    [InlineData("take a biopsy of the mole")]
    public void Every_layers_hidden_state_and_every_heads_pattern_equal_ONNX_Runtimes(string sentence)
    {
        var tokens = Model.Tokenize(sentence);
        var output = Model.Forward(tokens);
        int seqLen = tokens.Count, numHeads = Model.Config.Transformer.NumHeads;
        var results = RunInstrumented(tokens);

        Assert.Equal(Model.Config.Transformer.NumLayers + 1, output.HiddenStates.Count);
        for (int l = 0; l < output.HiddenStates.Count; l++)
        {
            var expected = results[Model.Mapping.HiddenStateTensors[l]]; // (1, seqLen, dModel)
            var h = output.HiddenStates[l];
            Assert.Equal((seqLen, 384), (h.RowCount, h.ColumnCount));
            double err = 0;
            for (int i = 0; i < seqLen; i++)
                for (int j = 0; j < 384; j++)
                    err = Math.Max(err, Math.Abs(h[i, j] - expected[0, i, j]));
            Assert.True(err < Tolerance, $"hidden state {l}: max error {err:G3}");
        }

        Assert.NotNull(output.Patterns);
        Assert.Equal(Model.Config.Transformer.NumLayers, output.Patterns.Count);
        for (int l = 0; l < output.Patterns.Count; l++)
        {
            var expected = results[Model.Mapping.PatternTensors[l]]; // (1, numHeads, seqLen, seqLen)
            Assert.Equal(numHeads, output.Patterns[l].Count);
            for (int head = 0; head < numHeads; head++)
            {
                var a = output.Pattern(l, head);
                Assert.Equal((seqLen, seqLen), (a.RowCount, a.ColumnCount));
                for (int i = 0; i < seqLen; i++)
                    for (int j = 0; j < seqLen; j++)
                        Assert.True(Math.Abs(a[i, j] - expected[0, head, i, j]) < 1e-5, $"layer {l} head {head} ({i}, {j}): {a[i, j]} vs {expected[0, head, i, j]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RealModelFixture.Sentences), MemberType = typeof(RealModelFixture))]
    public void Every_pattern_row_is_a_distribution_over_all_keys_with_no_mask(string sentence)
    {
        var output = Model.Forward(sentence);
        foreach (var layer in output.Patterns!)
            foreach (var a in layer)
                for (int i = 0; i < a.RowCount; i++)
                {
                    Assert.Equal(1.0, a.Row(i).Enumerate().Sum(x => (double)x), 5);
                    Assert.All(a.Row(i).Enumerate(), x => Assert.True(x > 0)); // an encoder: every token sees every token
                }
    }

    [Fact]
    public void A_word_has_one_input_embedding_in_every_sentence_but_its_hidden_states_differ()
    {
        string[] sentences = ["American shrew mole", "one mole of carbon dioxide", "take a biopsy of the mole"];
        var outputs = sentences.Select(s => Model.Forward(s)).ToArray();
        var rows = outputs.Select(o => o.Tokens.TokensOfWord(o.Tokens.IndexOfWord("mole")).Single()).ToArray();
        for (int s = 1; s < outputs.Length; s++)
        {
            Assert.Equal(outputs[0].TokenEmbeddings.Row(rows[0]), outputs[s].TokenEmbeddings.Row(rows[s]));
            Assert.NotEqual(outputs[0].LastHiddenState.Row(rows[0]), outputs[s].LastHiddenState.Row(rows[s]));
        }
    }

    [Fact]
    public void The_same_sentence_gives_bitwise_the_same_output_twice()
    {
        var a = Model.Forward("the Eiffel tower").LastHiddenState;
        var b = Model.Forward("the Eiffel tower").LastHiddenState;
        Assert.Equal(a, b);
    }

    [Fact]
    public void Inputs_longer_than_the_context_are_refused_with_the_count()
    {
        var tokens = Model.Tokenize(string.Join(' ', Enumerable.Repeat("mole", 600)));
        var e = Assert.Throws<ArgumentException>(() => Model.Forward(tokens));
        Assert.Contains("602", e.Message);
        Assert.Equal("tokens", e.ParamName);
    }

    [Fact]
    public void Asking_for_patterns_after_an_engine_pass_explains_why_there_are_none()
    {
        var output = Model.Forward("x", new ExplicitAttentionEngine());
        var e = Assert.Throws<InvalidOperationException>(() => output.Pattern(0, 0));
        Assert.Contains("managed explicit", e.Message);
    }

    private static Dictionary<string, Tensor<float>> RunInstrumented(TokenizedText tokens)
    {
        using var results = Instrumented.Value.Run(MiniLmOnnxRuntime.Inputs(tokens));
        return results.ToDictionary(r => r.Name, r => (Tensor<float>)r.AsTensor<float>().Clone());
    }

    private static double MaxAbs(Matrix<float> a, Matrix<float> b) => Compare.MaxAbsDifference(a, b); // NaN-aware
}
