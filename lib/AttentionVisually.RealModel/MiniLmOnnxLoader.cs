using AttentionVisually.Layers;
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Onnx;

namespace AttentionVisually.RealModel;

/// <summary>
/// Reads a BERT-style encoder (all-MiniLM-L6-v2) from its ONNX graph into <see cref="MiniLmWeights"/>,
/// finding each weight's role by following the graph, never by its name.
/// </summary>
/// <remarks>
/// <para>The walk, from the inputs to the outputs (PyTorch's BERT export, opset 13):</para>
/// <list type="number">
/// <item>Embeddings: the <c>Gather</c> on an initializer indexed by the input <c>input_ids</c> is the word
/// table, the one indexed by <c>token_type_ids</c> the token-type table, and the third <c>Gather</c> added to
/// them (indexed by a slice of an int64 initializer holding 0, 1, 2, …) the position table.</item>
/// <item>LayerNorm, written out as <c>ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β</c>
/// (or one <c>LayerNormalization</c> node): γ and β are the initializers of the last Mul and Add.</item>
/// <item>Each encoder layer starts at a hidden state h read by three <c>MatMul</c>s with a (dModel, dModel)
/// initializer, each followed by an <c>Add</c> of a bias initializer. Through <c>Reshape</c>/<c>Transpose</c>
/// a projection reaches either the score <c>MatMul</c> (first operand: W_Q; second, transposed: W_K) or the
/// <c>MatMul</c> whose first operand comes from <c>Softmax</c> (W_V). The score path must divide by √headDim
/// (numHeads and headDim are read from the reshape that splits heads) before the mask <c>Add</c> and
/// <c>Softmax</c>. The heads are merged by <c>Transpose, Reshape</c>, then <c>MatMul</c> W_O, <c>Add</c> b_O,
/// the residual <c>Add</c> of h and a LayerNorm. Then <c>MatMul</c> W_up, <c>Add</c> b_up, the exact GELU
/// (<c>Div √2, Erf, Add 1, Mul x, Mul ½</c>), <c>MatMul</c> W_down, <c>Add</c> b_down, the residual and a LayerNorm.</item>
/// <item>The last layer's output is the graph output <c>last_hidden_state</c>; the pooler is the
/// <c>Gather</c> of position 0, <c>Gemm</c> (transB = 1, so its weight is already (dOut, dIn)) and <c>Tanh</c>
/// that yields the second output.</item>
/// </list>
/// <para>In the packaged all-MiniLM-L6-v2 the biases and embeddings keep PyTorch's names
/// (<c>encoder.layer.L.attention.self.query.bias</c>, …) while the matrices are anonymous: layer L's
/// W_Q, W_K, W_V, W_O, W_up, W_down are initializers <c>927 + 13L</c>, <c>928 + 13L</c>, <c>931 + 13L</c>,
/// <c>937 + 13L</c>, <c>938 + 13L</c>, <c>939 + 13L</c>. <see cref="MiniLmModelMapping"/> lists the roles found.</para>
/// <para>A MatMul initializer is (dIn, dOut) because the graph computes x · B; the loader transposes it
/// to the course's (dOut, dIn). All 22,713,216 learned numbers are float32; the other 556 initializer
/// elements are int64 position indices (512) and reshape sizes (44), which are not parameters.</para>
/// <para>Every float initializer must be given exactly one role; a graph that differs anywhere fails
/// with an <see cref="InvalidDataException"/> that names the step and what was expected there.</para>
/// </remarks>
public static class MiniLmOnnxLoader
{
    /// <summary>Reads and maps the weights of an ONNX model.</summary>
    /// <param name="onnx">The serialized ModelProto. Read to its end; not disposed.</param>
    /// <returns>The configuration, typed weights and the role of every initializer.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model, or the graph is not a BERT encoder as described.</exception>
    public static MiniLmModelMapping Load(Stream onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException("The stream is not an ONNX model (protobuf ModelProto).", e);
        }
        return Load(model);
    }

    internal static MiniLmModelMapping Load(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Graph is null) throw new InvalidDataException("The ONNX model has no graph.");
        return new Walk(new OnnxGraph(model.Graph)).Run();
    }

    /// <summary>One pass over one graph; collects roles and checks that every learned tensor was used.</summary>
    private sealed class Walk(OnnxGraph g)
    {
        private readonly List<InitializerRole> roles = [];
        private readonly HashSet<string> used = new(StringComparer.Ordinal);
        private readonly List<string> hiddenTensors = [];
        private readonly List<string> patternTensors = [];
        private float? epsilon;

        public MiniLmModelMapping Run()
        {
            var (embeddings, afterEmbeddings) = Embeddings();
            int dModel = embeddings.Word.ColumnCount;

            var layers = new List<EncoderLayerWeights>();
            int numHeads = 0;
            string h = afterEmbeddings;
            hiddenTensors.Add(h);
            while (g.DataConsumers(h).Count(n => n.OpType == "MatMul") == 3)
            {
                var (layer, next) = Layer(h, layers.Count, dModel);
                if (numHeads != 0 && layer.Attention.NumHeads != numHeads)
                    Fail($"layer {layers.Count}", $"{numHeads} heads as in the layers before, not {layer.Attention.NumHeads}");
                numHeads = layer.Attention.NumHeads;
                layers.Add(layer);
                h = next;
                hiddenTensors.Add(h);
            }
            if (layers.Count == 0) Fail("encoder", "three MatMul nodes (W_Q, W_K, W_V) reading the embedding LayerNorm output");
            if (!g.GraphOutputs.Contains(h))
                Fail("encoder end", $"the last layer's output '{h}' to be a graph output (last_hidden_state); outputs are {string.Join(", ", g.GraphOutputs)}");
            var (pooler, poolerOutput) = Pooler(h, dModel);

            var unused = g.Initializers
                .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && !used.Contains(t.Name))
                .Select(OnnxGraph.Describe).ToList();
            if (unused.Count > 0)
                Fail("completeness", $"every float initializer to have a role, but these have none: {string.Join(", ", unused.Take(10))}");

            var transformer = new TransformerConfig("all-MiniLM-L6-v2",
                vocabSize: embeddings.Word.RowCount, contextLength: embeddings.Position.RowCount, dModel: dModel, numHeads: numHeads,
                headDim: TransformerConfig.EvenHeadDim(dModel, numHeads), dFf: layers[0].FeedForward.WUp.RowCount, numLayers: layers.Count);
            var config = new MiniLmConfig(transformer, typeVocabSize: embeddings.TokenType.RowCount, layerNormEpsilon: epsilon ?? 0f);
            MiniLmWeights weights;
            try
            {
                weights = new MiniLmWeights(config, embeddings, layers, pooler);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"The ONNX graph's weights do not fit together: {e.Message}", e);
            }
            return new MiniLmModelMapping(config, weights, roles, hiddenTensors, patternTensors, PoolerOutput: poolerOutput);
        }

        // ---- embeddings ----------------------------------------------------------------------------

        private (EmbeddingWeights Weights, string Output) Embeddings()
        {
            const string step = "embeddings";
            var gathers = g.Graph.Node.Where(n => n.OpType == "Gather" && g.IsInitializer(n.Input[0])).ToList();
            var word = gathers.FirstOrDefault(n => n.Input[1] == "input_ids")
                ?? Fail<NodeProto>(step, "a Gather on an initializer indexed by the input 'input_ids' (the word table)");
            var type = gathers.FirstOrDefault(n => n.Input[1] == "token_type_ids")
                ?? Fail<NodeProto>(step, "a Gather on an initializer indexed by the input 'token_type_ids' (the token-type table)");

            // Follow the chain of Adds that sums the looked-up vectors; the third addend is the position lookup.
            string sum = word.Output[0];
            var addends = new List<string> { sum };
            while (g.DataConsumers(sum) is [{ OpType: "Add" } add])
            {
                addends.Add(add.Input[0] == sum ? add.Input[1] : add.Input[0]);
                sum = add.Output[0];
            }
            if (!addends.Contains(type.Output[0]))
                Fail(step, "the token-type lookup to be added to the word lookup");
            var position = addends.Select(g.Producer).FirstOrDefault(p => p is { OpType: "Gather" } && p != word && p != type && g.IsInitializer(p.Input[0]))
                ?? Fail<NodeProto>(step, "a third Gather on an initializer added to the word and token-type lookups (the position table)");
            if (addends.Count != 3) Fail(step, $"word + token type + position, but {addends.Count} tensors are summed");
            CheckPositionIndices(position.Input[1]);

            var wordTable = Table(word.Input[0], "Embeddings.Word");
            var positionTable = Table(position.Input[0], "Embeddings.Position");
            var typeTable = Table(type.Input[0], "Embeddings.TokenType");
            var (norm, output) = LayerNorm(sum, "Embeddings.Norm");
            return (new EmbeddingWeights(wordTable, positionTable, typeTable, norm), output);
        }

        private void CheckPositionIndices(string indices)
        {
            // The positions are a slice [0, seqLen) of an int64 initializer that must read 0, 1, 2, …
            var slice = g.Producer(indices);
            if (slice is not { OpType: "Slice" } || !g.IsInitializer(slice.Input[0]))
                Fail("embeddings", "position indices sliced from an int64 initializer (0, 1, 2, …)");
            var ids = OnnxGraph.ReadInt64s(g.Initializer(slice!.Input[0]), "position indices");
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] != i) Fail("embeddings", $"position index {i} at place {i}, found {ids[i]}");
            if (slice.Input.Count > 1 && g.ScalarValue(slice.Input[1]) is double start && start != 0)
                Fail("embeddings", $"the position slice to start at 0, not {start}");
        }

        private Matrix<float> Table(string name, string role)
        {
            var t = Take(name, role);
            if (t.Dims.Count != 2) Fail(role, $"a 2-d table, found {OnnxGraph.Describe(t)}");
            int rows = (int)t.Dims[0], cols = (int)t.Dims[1];
            return Matrix<float>.Build.DenseOfRowMajor(rows, cols, OnnxGraph.ReadFloats(t, role)); // (rows, dModel)
        }

        // ---- LayerNorm -----------------------------------------------------------------------------

        private (LayerNormWeights Weights, string Output) LayerNorm(string x, string role)
        {
            var consumers = g.DataConsumers(x);
            var fused = consumers.FirstOrDefault(n => n.OpType == "LayerNormalization");
            if (fused is not null)
            {
                var eps = fused.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
                RecordEpsilon(eps, role);
                return (new LayerNormWeights(VectorOf(fused.Input[1], role + ".Gamma"), VectorOf(fused.Input[2], role + ".Beta")), fused.Output[0]);
            }

            string expected = "LayerNorm as ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β";
            var sub = consumers.FirstOrDefault(n => n.OpType == "Sub" && n.Input[0] == x && g.Producer(n.Input[1])?.OpType == "ReduceMean")
                ?? Fail<NodeProto>(role, expected + $" reading '{x}'");
            string centered = sub.Output[0];
            var pow = g.DataConsumers(centered).FirstOrDefault(n => n.OpType == "Pow") ?? Fail<NodeProto>(role, expected + " (no Pow)");
            if (g.ScalarValue(pow.Input[1]) != 2.0) Fail(role, expected + " (Pow exponent is not 2)");
            var varianceMean = Single(pow.Output[0], "ReduceMean", role, expected);
            var addEps = Single(varianceMean.Output[0], "Add", role, expected);
            double eps2 = g.ScalarValue(Other(addEps, varianceMean.Output[0])) ?? Fail<double>(role, expected + " (ε is not a constant)");
            RecordEpsilon((float)eps2, role);
            var sqrt = Single(addEps.Output[0], "Sqrt", role, expected);
            var div = Single(sqrt.Output[0], "Div", role, expected);
            if (div.Input[0] != centered) Fail(role, expected + " (Div does not divide x − mean)");
            var mulGamma = Single(div.Output[0], "Mul", role, expected);
            var addBeta = Single(mulGamma.Output[0], "Add", role, expected);
            var gamma = VectorOf(Other(mulGamma, div.Output[0]), role + ".Gamma");
            var beta = VectorOf(Other(addBeta, mulGamma.Output[0]), role + ".Beta");
            return (new LayerNormWeights(gamma, beta), addBeta.Output[0]);
        }

        private void RecordEpsilon(float eps, string role)
        {
            if (epsilon is float known && known != eps) Fail(role, $"the same LayerNorm ε everywhere ({known}), found {eps}");
            epsilon = eps;
        }

        // ---- encoder layer -------------------------------------------------------------------------

        private (EncoderLayerWeights Layer, string Output) Layer(string h, int l, int dModel)
        {
            string at = $"Layers[{l}]";
            var projections = g.DataConsumers(h).Where(n => n.OpType == "MatMul").ToList();
            Matrix<float>? wQ = null, wK = null, wV = null;
            Vector<float>? bQ = null, bK = null, bV = null;
            NodeProto? scores = null, context = null;
            int numHeads = 0, headDim = 0;
            foreach (var matMul in projections)
            {
                if (matMul.Input[0] != h) Fail(at, $"{OnnxGraph.Describe(matMul)} to multiply the hidden state by a weight");
                var biasAdd = Single(matMul.Output[0], "Add", at, "each projection MatMul to be followed by a bias Add");
                // The head split: Reshape to (batch, seqLen, numHeads, headDim), then Transpose.
                var (target, operand, heads, dim, perm) = FollowToMatMul(biasAdd.Output[0], at);
                if (numHeads != 0 && (heads != numHeads || dim != headDim)) Fail(at, "the same head split for Q, K and V");
                (numHeads, headDim) = (heads, dim);
                string weightName = matMul.Input[1], biasName = Other(biasAdd, matMul.Output[0]);
                bool fromSoftmax = g.Producer(target.Input[0])?.OpType == "Softmax";
                if (fromSoftmax && operand == 1 && perm.SequenceEqual([0, 2, 1, 3]))
                {
                    context = target;
                    (wV, bV) = (Projection(weightName, $"{at}.Attention.WV"), VectorOf(biasName, $"{at}.Attention.BV"));
                }
                else if (!fromSoftmax && operand == 0 && perm.SequenceEqual([0, 2, 1, 3]))
                {
                    scores = target;
                    (wQ, bQ) = (Projection(weightName, $"{at}.Attention.WQ"), VectorOf(biasName, $"{at}.Attention.BQ"));
                }
                else if (!fromSoftmax && operand == 1 && perm.SequenceEqual([0, 2, 3, 1]))
                {
                    scores = target;
                    (wK, bK) = (Projection(weightName, $"{at}.Attention.WK"), VectorOf(biasName, $"{at}.Attention.BK"));
                }
                else
                {
                    Fail(at, $"projection '{weightName}' to reach Q Kᵀ as its left operand (Q), as its transposed right operand (K), or softmax · V (V)");
                }
            }
            if (wQ is null || wK is null || wV is null || scores is null || context is null)
                Fail(at, "one query, one key and one value projection");
            if (numHeads * headDim != dModel) Fail(at, $"numHeads · headDim = dModel, found {numHeads} · {headDim} ≠ {dModel}");
            CheckScoresToSoftmax(scores!, context!, headDim, at);

            // Merge heads, project with W_O, add the residual, normalize.
            string merged = context!.Output[0];
            var outputMatMul = FollowLayoutTo(merged, "MatMul", at, "the heads merged by Transpose and Reshape, then a MatMul by W_O");
            var wO = Projection(outputMatMul.Input[1], $"{at}.Attention.WO");
            var outBias = Single(outputMatMul.Output[0], "Add", at, "a bias Add after W_O");
            var bO = VectorOf(Other(outBias, outputMatMul.Output[0]), $"{at}.Attention.BO");
            string afterAttention = Residual(outBias.Output[0], h, at, "the attention residual h + Attn(h)");
            var (attentionNorm, h1) = LayerNorm(afterAttention, $"{at}.AttentionNorm");

            // Feed-forward: W_up, GELU, W_down, residual, LayerNorm.
            var up = g.DataConsumers(h1).FirstOrDefault(n => n.OpType == "MatMul" && n.Input[0] == h1)
                ?? Fail<NodeProto>(at, "a MatMul by W_up reading the attention LayerNorm output");
            var wUp = Projection(up.Input[1], $"{at}.FeedForward.WUp");
            var upBias = Single(up.Output[0], "Add", at, "a bias Add after W_up");
            var bUp = VectorOf(Other(upBias, up.Output[0]), $"{at}.FeedForward.BUp");
            string gelu = Gelu(upBias.Output[0], at);
            var down = Single(gelu, "MatMul", at, "a MatMul by W_down after GELU");
            var wDown = Projection(down.Input[1], $"{at}.FeedForward.WDown");
            var downBias = Single(down.Output[0], "Add", at, "a bias Add after W_down");
            var bDown = VectorOf(Other(downBias, down.Output[0]), $"{at}.FeedForward.BDown");
            string afterFeedForward = Residual(downBias.Output[0], h1, at, "the feed-forward residual h' + FFN(h')");
            var (outputNorm, output) = LayerNorm(afterFeedForward, $"{at}.OutputNorm");

            var attention = new AttentionWeights(numHeads, wQ!, bQ!, wK!, bK!, wV!, bV!, wO, bO);
            FeedForwardWeights feedForward;
            try
            {
                feedForward = new FeedForwardWeights(wUp, bUp, wDown, bDown);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{at}.FeedForward: the shapes do not chain: {e.Message}", e);
            }
            return (new EncoderLayerWeights(attention, attentionNorm, feedForward, outputNorm), output);
        }

        /// <summary>From a projection's output through Reshape (head split) and Transpose to the MatMul it feeds.</summary>
        private (NodeProto Target, int Operand, int NumHeads, int HeadDim, long[] Perm) FollowToMatMul(string tensor, string at)
        {
            string expected = "a projection to be split into heads by Reshape (batch, seqLen, numHeads, headDim) and Transpose";
            var reshape = Single(tensor, "Reshape", at, expected);
            var (numHeads, headDim) = HeadSplit(reshape.Input[1], at);
            var transpose = Single(reshape.Output[0], "Transpose", at, expected);
            long[] perm = transpose.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.ToArray() ?? [];
            var target = Single(transpose.Output[0], "MatMul", at, expected + ", then a MatMul");
            int operand = target.Input[0] == transpose.Output[0] ? 0 : 1;
            return (target, operand, numHeads, headDim, perm);
        }

        /// <summary>Reads (numHeads, headDim) from the last two entries of a reshape's target shape.</summary>
        private (int NumHeads, int HeadDim) HeadSplit(string shape, string at)
        {
            string expected = "a head split whose target shape ends with constant numHeads and headDim";
            if (g.ConstantValue(shape) is TensorProto whole)
            {
                var dims = OnnxGraph.ReadInt64s(whole, at + " head split");
                if (dims.Length == 4) return ((int)dims[2], (int)dims[3]);
                return Fail<(int, int)>(at, expected);
            }
            var concat = g.Producer(shape);
            if (concat is not { OpType: "Concat" } || concat.Input.Count != 4) return Fail<(int, int)>(at, expected);
            var heads = g.ScalarValue(concat.Input[2]);
            var dim = g.ScalarValue(concat.Input[3]);
            if (heads is null || dim is null || heads < 1 || dim < 1) return Fail<(int, int)>(at, expected);
            return ((int)heads, (int)dim);
        }

        /// <summary>Checks Q Kᵀ → divide by √headDim → mask Add → Softmax(last axis) → the context MatMul.</summary>
        private void CheckScoresToSoftmax(NodeProto scores, NodeProto context, int headDim, string at)
        {
            string expected = "scores Q Kᵀ divided by √headDim, a mask Add, then Softmax over keys feeding softmax · V";
            var scale = Single(scores.Output[0], "Div", at, expected);
            double divisor = g.ScalarValue(scale.Input[1]) ?? Fail<double>(at, expected + " (the divisor is not a constant)");
            if (Math.Abs(divisor - Math.Sqrt(headDim)) > 1e-5 * Math.Sqrt(headDim))
                Fail(at, string.Create(CultureInfo.InvariantCulture, $"scores divided by √headDim = {Math.Sqrt(headDim):G6}, found {divisor:G6}"));
            var maskAdd = Single(scale.Output[0], "Add", at, expected);
            if (g.IsInitializer(Other(maskAdd, scale.Output[0]))) Fail(at, expected + " (the mask is a learned tensor)");
            var softmax = Single(maskAdd.Output[0], "Softmax", at, expected);
            long axis = softmax.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? -1;
            if (axis != -1 && axis != 3) Fail(at, $"Softmax over the key axis (-1 or 3), found axis {axis}");
            if (context.Input[0] != softmax.Output[0]) Fail(at, expected);
            patternTensors.Add(softmax.Output[0]);
        }

        /// <summary>Follows Transpose/Reshape from a tensor to the first node of type <paramref name="opType"/>.</summary>
        private NodeProto FollowLayoutTo(string tensor, string opType, string at, string expected)
        {
            for (int steps = 0; steps < 8; steps++)
            {
                var next = g.DataConsumers(tensor);
                if (next.Count != 1) break;
                if (next[0].OpType == opType) return next[0];
                if (next[0].OpType is not ("Transpose" or "Reshape")) break;
                tensor = next[0].Output[0];
            }
            return Fail<NodeProto>(at, expected);
        }

        private string Residual(string branch, string skip, string at, string expected)
        {
            var add = Single(branch, "Add", at, expected);
            if (Other(add, branch) != skip) Fail(at, expected + $" (the Add does not add '{skip}')");
            return add.Output[0];
        }

        /// <summary>Checks the exact GELU, x · ½ (1 + erf(x / √2)), and returns its output tensor.</summary>
        private string Gelu(string x, string at)
        {
            string expected = "the exact GELU: Div √2, Erf, Add 1, Mul x, Mul ½ (not the tanh approximation)";
            var consumers = g.DataConsumers(x);
            if (consumers is [{ OpType: "Gelu" } fused])
            {
                string approximate = fused.Attribute.FirstOrDefault(a => a.Name == "approximate")?.S.ToStringUtf8() ?? "none";
                if (approximate != "none") Fail(at, expected);
                return fused.Output[0];
            }
            var div = consumers.FirstOrDefault(n => n.OpType == "Div") ?? Fail<NodeProto>(at, expected);
            if (!Near(g.ScalarValue(div.Input[1]), Math.Sqrt(2))) Fail(at, expected + " (the divisor is not √2)");
            var erf = Single(div.Output[0], "Erf", at, expected);
            var addOne = Single(erf.Output[0], "Add", at, expected);
            if (!Near(g.ScalarValue(Other(addOne, erf.Output[0])), 1)) Fail(at, expected + " (Erf is not followed by + 1)");
            var mulX = Single(addOne.Output[0], "Mul", at, expected);
            if (Other(mulX, addOne.Output[0]) != x) Fail(at, expected + " (1 + erf is not multiplied by x)");
            var mulHalf = Single(mulX.Output[0], "Mul", at, expected);
            if (!Near(g.ScalarValue(Other(mulHalf, mulX.Output[0])), 0.5)) Fail(at, expected + " (the factor is not ½)");
            return mulHalf.Output[0];
        }

        // ---- pooler --------------------------------------------------------------------------------

        private (PoolerWeights Weights, string Output) Pooler(string lastHidden, int dModel)
        {
            const string at = "Pooler";
            string expected = "the pooler: Gather of position 0 from the last hidden state, Gemm (or MatMul and bias Add), Tanh, a graph output";
            var gather = g.DataConsumers(lastHidden).FirstOrDefault(n => n.OpType == "Gather")
                ?? Fail<NodeProto>(at, expected);
            if (g.ScalarValue(gather.Input[1]) != 0) Fail(at, expected + " (not position 0, the [CLS] token)");
            Matrix<float> w;
            Vector<float> b;
            string beforeTanh;
            var dense = g.DataConsumers(gather.Output[0]) is [var only] ? only : Fail<NodeProto>(at, expected);
            if (dense.OpType == "Gemm")
            {
                // Gemm computes α · A · op(B) + β · C; only α = β = 1 with A untransposed is the plain affine map.
                float alpha = dense.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 1f;
                float beta = dense.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f;
                long transA = dense.Attribute.FirstOrDefault(a => a.Name == "transA")?.I ?? 0;
                long transB = dense.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
                if (alpha != 1f || beta != 1f || transA != 0 || dense.Input.Count != 3) Fail(at, expected + " (Gemm with α = β = 1, A not transposed, and a bias)");
                w = transB == 1 ? Weight(dense.Input[1], $"{at}.W") : Projection(dense.Input[1], $"{at}.W");
                b = VectorOf(dense.Input[2], $"{at}.B");
                beforeTanh = dense.Output[0];
            }
            else if (dense.OpType == "MatMul")
            {
                w = Projection(dense.Input[1], $"{at}.W");
                var add = Single(dense.Output[0], "Add", at, expected);
                b = VectorOf(Other(add, dense.Output[0]), $"{at}.B");
                beforeTanh = add.Output[0];
            }
            else
            {
                return Fail<(PoolerWeights, string)>(at, expected);
            }
            var tanh = Single(beforeTanh, "Tanh", at, expected);
            if (!g.GraphOutputs.Contains(tanh.Output[0])) Fail(at, expected);
            if (w.RowCount != dModel || w.ColumnCount != dModel) Fail(at, $"a (dModel, dModel) weight, found ({w.RowCount}, {w.ColumnCount})");
            return (new PoolerWeights(w, b), tanh.Output[0]);
        }

        // ---- reading weights -----------------------------------------------------------------------

        /// <summary>A weight already stored (dOut, dIn), as PyTorch's nn.Linear and Gemm with transB = 1 keep it.</summary>
        private Matrix<float> Weight(string name, string role)
        {
            var t = Take(name, role);
            if (t.Dims.Count != 2) Fail(role, $"a 2-d weight, found {OnnxGraph.Describe(t)}");
            return Matrix<float>.Build.DenseOfRowMajor((int)t.Dims[0], (int)t.Dims[1], OnnxGraph.ReadFloats(t, role)); // (dOut, dIn)
        }

        /// <summary>A MatMul weight B (dIn, dOut) as the course's W (dOut, dIn), so that x · B = W x.</summary>
        private Matrix<float> Projection(string name, string role)
        {
            var t = Take(name, role);
            if (t.Dims.Count != 2) Fail(role, $"a 2-d weight, found {OnnxGraph.Describe(t)}");
            int dIn = (int)t.Dims[0], dOut = (int)t.Dims[1];
            // Row-major (dIn, dOut) data read as column-major storage is exactly the (dOut, dIn) transpose.
            return Matrix<float>.Build.Dense(dOut, dIn, OnnxGraph.ReadFloats(t, role)); // (dOut, dIn)
        }

        private Vector<float> VectorOf(string name, string role)
        {
            var t = Take(name, role);
            if (t.Dims.Count != 1) Fail(role, $"a 1-d vector, found {OnnxGraph.Describe(t)}");
            return Vector<float>.Build.Dense(OnnxGraph.ReadFloats(t, role));
        }

        private TensorProto Take(string name, string role)
        {
            if (!g.IsInitializer(name)) Fail(role, $"an initializer, but '{name}' is computed");
            if (!used.Add(name)) Fail(role, $"'{name}' to have one role, but it was already used");
            var t = g.Initializer(name);
            roles.Add(new InitializerRole(role, name, t.Dims.ToArray()));
            return t;
        }

        // ---- graph helpers -------------------------------------------------------------------------

        private NodeProto Single(string tensor, string opType, string at, string expected)
        {
            var next = g.DataConsumers(tensor);
            if (next is [var only] && only.OpType == opType) return only;
            string found = next.Count == 0 ? "nothing" : string.Join(", ", next.Select(OnnxGraph.Describe));
            return Fail<NodeProto>(at, $"{expected}; '{tensor}' should feed one {opType} but feeds {found}");
        }

        private static string Other(NodeProto node, string input) =>
            node.Input.Count == 2 ? (node.Input[0] == input ? node.Input[1] : node.Input[0])
            : throw new InvalidDataException($"{OnnxGraph.Describe(node)} has {node.Input.Count} inputs; 2 were expected.");

        private static bool Near(double? value, double expected) =>
            value is double v && Math.Abs(v - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected));

        private static void Fail(string at, string expected) => Fail<bool>(at, expected);

        private static T Fail<T>(string at, string expected) =>
            throw new InvalidDataException($"The ONNX graph does not look like a BERT encoder at {at}: expected {expected}.");
    }
}

/// <summary>Where a typed weight came from: its role, the initializer's name in the graph and its ONNX shape.</summary>
/// <param name="Role">The property path in <see cref="MiniLmWeights"/>, e.g. <c>Layers[0].Attention.WQ</c>.</param>
/// <param name="GraphName">The initializer's name in the ONNX graph.</param>
/// <param name="OnnxShape">Its dimensions as stored (a MatMul weight is (dIn, dOut) there).</param>
public sealed record InitializerRole(string Role, string GraphName, IReadOnlyList<long> OnnxShape);

/// <summary>The result of reading an ONNX graph: sizes, weights and the role of every learned initializer.</summary>
/// <param name="Config">Sizes read from the graph.</param>
/// <param name="Weights">Typed weights in the course's orientation.</param>
/// <param name="Roles">One entry per learned initializer, in the order the walk met them.</param>
/// <param name="HiddenStateTensors">
/// The graph tensors holding the hidden states, (batch, seqLen, dModel): [0] after the embedding LayerNorm,
/// [l] after layer l; the last is the graph output <c>last_hidden_state</c>.
/// </param>
/// <param name="PatternTensors">Per layer, the Softmax output holding every head's pattern, (batch, numHeads, seqLen, seqLen).</param>
/// <param name="PoolerOutput">The graph output holding the pooler's result.</param>
public sealed record MiniLmModelMapping(MiniLmConfig Config, MiniLmWeights Weights, IReadOnlyList<InitializerRole> Roles,
    IReadOnlyList<string> HiddenStateTensors, IReadOnlyList<string> PatternTensors, string PoolerOutput);
