using Google.Protobuf;
using Onnx;

namespace AttentionVisually.Tests;

public class RealModelLoaderTests
{
    private static MiniLm Model => MiniLm.Shared;

    [Fact]
    public void The_sizes_read_from_the_graph_are_those_of_all_MiniLM_L6_v2()
    {
        // The model card's numbers: BERT uncased vocabulary, 6 layers, 12 heads, 384 wide, 1536 feed-forward.
        var c = Model.Config;
        Assert.Equal((30522, 384, 12, 32, 6, 1536, 512, 2), (c.Transformer.VocabSize, c.Transformer.DModel, c.Transformer.NumHeads, c.Transformer.HeadDim, c.Transformer.NumLayers, c.Transformer.DFf, c.Transformer.ContextLength, c.TypeVocabSize));
        Assert.Equal(1e-12f, c.LayerNormEpsilon);
    }

    [Fact]
    public void Parameters_counted_from_the_typed_weights_and_by_the_sizing_code_equal_the_float_initializers_of_the_graph()
    {
        var graph = RealModelFixture.ParseModel().Graph;
        long floatElements = graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(floatElements, Model.Weights.ParameterCount);
        Assert.Equal(floatElements, Model.Config.ParameterCount());
        Assert.Equal(floatElements, Sizing.Total(Model.Config.Transformer) + 2 * 384 + 384 * 384 + 384);
    }

    [Fact]
    public void The_only_other_initializers_are_int64_position_indices_and_reshape_sizes()
    {
        var others = RealModelFixture.ParseModel().Graph.Initializer
            .Where(t => t.DataType != (int)TensorProto.Types.DataType.Float).ToList();
        Assert.All(others, t => Assert.Equal((int)TensorProto.Types.DataType.Int64, t.DataType));
        Assert.Single(others, t => t.Dims.SequenceEqual([1L, Model.Config.Transformer.ContextLength]));
        Assert.All(others.Where(t => t.Dims.Count == 1), t => Assert.Equal(1L, t.Dims[0]));
    }

    [Fact]
    public void Every_learned_initializer_has_exactly_one_role()
    {
        var floatNames = RealModelFixture.ParseModel().Graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).Select(t => t.Name).ToHashSet();
        var mapped = Model.Mapping.Roles.Select(r => r.GraphName).ToList();
        Assert.Equal(mapped.Count, mapped.Distinct().Count());
        Assert.True(floatNames.SetEquals(mapped));
        Assert.Equal(mapped.Count, Model.Mapping.Roles.Select(r => r.Role).Distinct().Count());
    }

    [Fact]
    public void Roles_found_by_structure_agree_with_the_PyTorch_names_the_loader_never_reads()
    {
        string Name(string role) => Model.Mapping.Roles.Single(r => r.Role == role).GraphName;
        Assert.Equal("embeddings.word_embeddings.weight", Name("Embeddings.Word"));
        Assert.Equal("embeddings.position_embeddings.weight", Name("Embeddings.Position"));
        Assert.Equal("embeddings.token_type_embeddings.weight", Name("Embeddings.TokenType"));
        Assert.Equal("embeddings.LayerNorm.weight", Name("Embeddings.Norm.Gamma"));
        for (int l = 0; l < Model.Config.Transformer.NumLayers; l++)
        {
            string p = $"encoder.layer.{l}.";
            Assert.Equal(p + "attention.self.query.bias", Name($"Layers[{l}].Attention.BQ"));
            Assert.Equal(p + "attention.self.key.bias", Name($"Layers[{l}].Attention.BK"));
            Assert.Equal(p + "attention.self.value.bias", Name($"Layers[{l}].Attention.BV"));
            Assert.Equal(p + "attention.output.dense.bias", Name($"Layers[{l}].Attention.BO"));
            Assert.Equal(p + "attention.output.LayerNorm.weight", Name($"Layers[{l}].AttentionNorm.Gamma"));
            Assert.Equal(p + "attention.output.LayerNorm.bias", Name($"Layers[{l}].AttentionNorm.Beta"));
            Assert.Equal(p + "intermediate.dense.bias", Name($"Layers[{l}].FeedForward.BUp"));
            Assert.Equal(p + "output.dense.bias", Name($"Layers[{l}].FeedForward.BDown"));
            Assert.Equal(p + "output.LayerNorm.bias", Name($"Layers[{l}].OutputNorm.Beta"));
        }
        Assert.Equal("pooler.dense.weight", Name("Pooler.W"));
    }

    [Theory]
    [InlineData("Layers[0].Attention.WQ")]
    [InlineData("Layers[3].Attention.WO")]
    [InlineData("Layers[5].FeedForward.WUp")]
    [InlineData("Layers[5].FeedForward.WDown")]
    public void MatMul_weights_are_transposed_into_the_course_orientation(string role)
    {
        // The graph computes x · B with B (dIn, dOut); the course stores W (dOut, dIn) with W[o, i] = B[i, o].
        var graphName = Model.Mapping.Roles.Single(r => r.Role == role).GraphName;
        var b = RealModelFixture.ParseModel().Graph.Initializer.Single(t => t.Name == graphName);
        int dIn = (int)b.Dims[0], dOut = (int)b.Dims[1];
        var raw = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(b.RawData.Span).ToArray();
        var w = role switch
        {
            "Layers[0].Attention.WQ" => Model.Weights.Layers[0].Attention.WQ,
            "Layers[3].Attention.WO" => Model.Weights.Layers[3].Attention.WO,
            "Layers[5].FeedForward.WUp" => Model.Weights.Layers[5].FeedForward.WUp,
            _ => Model.Weights.Layers[5].FeedForward.WDown,
        };
        Assert.Equal((dOut, dIn), (w.RowCount, w.ColumnCount));
        var random = new Random(7);
        for (int n = 0; n < 200; n++)
        {
            int i = random.Next(dIn), o = random.Next(dOut);
            Assert.Equal(raw[i * dOut + o], w[o, i]);
        }
    }

    [Fact]
    public void The_shared_model_is_loaded_once_even_when_many_threads_ask_at_once()
    {
        var seen = new MiniLm[8];
        Parallel.For(0, seen.Length, i => seen[i] = MiniLm.Shared);
        Assert.All(seen, m => Assert.Same(seen[0], m));
    }

    public static TheoryData<string, string> Breakages => new()
    {
        { "gelu-tanh", "GELU" },
        { "scale", "√headDim" },
        { "half-precision", "float32" },
        { "extra-initializer", "every float initializer to have a role" },
        { "no-pooler-tanh", "pooler" },
        { "no-token-types", "token_type_ids" },
        { "position-order", "position index" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_graph_that_differs_from_a_BERT_encoder_fails_with_a_message_naming_what_was_expected(string breakage, string expected)
    {
        var model = RealModelFixture.ParseModel();
        var g = model.Graph;
        switch (breakage)
        {
            case "gelu-tanh":
                g.Node.First(n => n.OpType == "Erf").OpType = "Tanh";
                break;
            case "scale":
                // Softmax ← Add (mask) ← Div (by √headDim) ← the score MatMul: make the divisor 8 instead of √32.
                var maskAdd = Producer(g, g.Node.First(n => n.OpType == "Softmax").Input[0]);
                var div = maskAdd.Input.Select(i => Producer(g, i)).First(n => n?.OpType == "Div")!;
                var constant = Producer(g, div.Input[1]);
                constant.Attribute[0].T.RawData = ByteString.CopyFrom(BitConverter.GetBytes(8f));
                break;
            case "half-precision":
                var table = g.Initializer.First(t => t.Name == "embeddings.word_embeddings.weight");
                table.DataType = (int)TensorProto.Types.DataType.Float16;
                break;
            case "extra-initializer":
                g.Initializer.Add(new TensorProto { Name = "stray", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) });
                break;
            case "no-pooler-tanh":
                g.Node.Remove(g.Node.First(n => n.OpType == "Tanh"));
                break;
            case "no-token-types":
                foreach (var n in g.Node) for (int i = 0; i < n.Input.Count; i++) if (n.Input[i] == "token_type_ids") n.Input[i] = "segments";
                break;
            case "position-order":
                var positions = g.Initializer.First(t => t.DataType == (int)TensorProto.Types.DataType.Int64 && t.Dims.Count == 2);
                var ids = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(positions.RawData.Span).ToArray();
                (ids[3], ids[4]) = (ids[4], ids[3]);
                positions.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()));
                break;
        }
        var e = Assert.Throws<InvalidDataException>(() => MiniLmOnnxLoader.Load(model));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_an_ONNX_model_are_refused()
    {
        var e = Assert.ThrowsAny<InvalidDataException>(() => MiniLmOnnxLoader.Load(new MemoryStream([0xFF, 0xFF, 0xFF, 0x01, 0x02])));
        Assert.Contains("ONNX", e.Message);
    }

    private static NodeProto Producer(GraphProto g, string tensor) => g.Node.First(n => n.Output.Contains(tensor));

    [Fact]
    public void Changing_the_weights_handed_out_does_not_change_the_shared_model()
    {
        var before = MiniLm.Shared.Forward("the mole").LastHiddenState;
        var weights = MiniLm.Shared.Weights;
        weights.Layers[0].Attention.WQ.Clear();
        weights.Embeddings.Word.Clear();
        MiniLm.Shared.Mapping.Weights.Layers[5].FeedForward.WUp.Clear();
        Assert.Equal(before, MiniLm.Shared.Forward("the mole").LastHiddenState);
        Assert.Equal(MiniLm.Shared.TokenEmbedding(5), MiniLm.Shared.Weights.Embeddings.Word.Row(5));
    }
}
