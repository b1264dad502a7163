using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AttentionVisually.RealModel;

/// <summary>
/// The reference: the same packaged ONNX graph run by ONNX Runtime (https://onnxruntime.ai), against which
/// the course's forward pass is checked. The session is created once per process and shared
/// (ONNX Runtime allows concurrent <c>Run</c> calls on one session).
/// </summary>
public static class MiniLmOnnxRuntime
{
    /// <summary>The graph's three inputs for one sentence: token ids, an attention mask of ones, token types 0.</summary>
    internal static List<NamedOnnxValue> Inputs(TokenizedText tokens)
    {
        int seqLen = tokens.Count;
        var dims = new[] { 1, seqLen }; // (batch, seqLen)
        return
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.Ids.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, seqLen).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[seqLen], dims)),
        ];
    }

    private static readonly Lazy<InferenceSession> Session = new(
        () => new InferenceSession(MiniLmResources.ReadModelBytes()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs the packaged model on one sentence (attention mask all ones, token type 0).</summary>
    /// <param name="tokens">Tokens from <see cref="MiniLm.Tokenize"/>.</param>
    /// <returns>The graph's <c>last_hidden_state</c>, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">There are no tokens.</exception>
    /// <exception cref="InvalidOperationException">The package is missing.</exception>
    public static Matrix<float> LastHiddenState(TokenizedText tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("tokens is empty.", nameof(tokens));
        int seqLen = tokens.Count;
        using var results = Session.Value.Run(Inputs(tokens), ["last_hidden_state"]);
        var output = results[0].AsTensor<float>(); // (1, seqLen, dModel)
        int dModel = output.Dimensions[2];
        var h = Matrix<float>.Build.Dense(seqLen, dModel);
        for (int i = 0; i < seqLen; i++)
            for (int j = 0; j < dModel; j++)
                h[i, j] = output[0, i, j];
        return h; // (seqLen, dModel)
    }
}
