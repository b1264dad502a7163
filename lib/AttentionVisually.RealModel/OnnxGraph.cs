using System.Globalization;
using System.Runtime.InteropServices;
using Onnx;

namespace AttentionVisually.RealModel;

/// <summary>
/// An index over an ONNX graph (the protobuf messages parsed by OnnxSharp) for walking it by structure:
/// which node produces a tensor, which nodes consume it, which tensors are initializers or constants,
/// and typed reads of their contents. ONNX IR: https://onnx.ai/onnx/repo-docs/IR.html.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);

    public OnnxGraph(GraphProto graph)
    {
        Graph = graph;
        foreach (var t in graph.Initializer) initializers[t.Name] = t;
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output) producers[output] = node;
            foreach (var input in node.Input)
            {
                if (input.Length == 0) continue; // an omitted optional input
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }
            if (node.OpType == "Constant")
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (value?.T is not null) constants[node.Output[0]] = value.T;
            }
        }
        GraphInputs = graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        GraphOutputs = graph.Output.Select(o => o.Name).ToList();
    }

    public GraphProto Graph { get; }

    public IReadOnlySet<string> GraphInputs { get; }

    public IReadOnlyList<string> GraphOutputs { get; }

    public IEnumerable<TensorProto> Initializers => Graph.Initializer;

    public bool IsInitializer(string name) => initializers.ContainsKey(name);

    public TensorProto Initializer(string name) => initializers[name];

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor) =>
        consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>Consumers other than <c>Shape</c> nodes (which only read a tensor's dimensions).</summary>
    public IReadOnlyList<NodeProto> DataConsumers(string tensor) =>
        Consumers(tensor).Where(n => n.OpType != "Shape").ToList();

    /// <summary>The value of an initializer or Constant output, or null when the tensor is computed.</summary>
    public TensorProto? ConstantValue(string tensor) =>
        initializers.GetValueOrDefault(tensor) ?? constants.GetValueOrDefault(tensor);

    public static long ElementCount(TensorProto t) => t.Dims.Aggregate(1L, (a, b) => a * b);

    public static string Describe(TensorProto t) => string.Create(CultureInfo.InvariantCulture,
        $"'{t.Name}' ({(TensorProto.Types.DataType)t.DataType}, [{string.Join(", ", t.Dims)}])");

    public static string Describe(NodeProto n) => $"{n.OpType} '{n.Name}'";

    /// <summary>Reads a float32 tensor, refusing other element types (half precision, quantized integers).</summary>
    public static float[] ReadFloats(TensorProto t, string role)
    {
        CheckInline(t, role);
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException(
                $"{role}: expected float32 weights but {Describe(t)} holds {(TensorProto.Types.DataType)t.DataType}; " +
                "quantized or half-precision models are not supported.");
        }
        long count = ElementCount(t);
        float[] values;
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != count * sizeof(float))
                throw new InvalidDataException($"{role}: {Describe(t)} has {t.RawData.Length} bytes of raw data; {count * sizeof(float)} were expected.");
            values = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray(); // ONNX raw data is little-endian, as is this machine
        }
        else
        {
            values = t.FloatData.ToArray();
        }
        if (values.Length != count)
            throw new InvalidDataException($"{role}: {Describe(t)} holds {values.Length} values; {count} were expected.");
        return values;
    }

    /// <summary>Reads an int64 tensor (shape constants, position indices).</summary>
    public static long[] ReadInt64s(TensorProto t, string role)
    {
        CheckInline(t, role);
        if (t.DataType != (int)TensorProto.Types.DataType.Int64)
            throw new InvalidDataException($"{role}: expected int64 values but {Describe(t)} holds {(TensorProto.Types.DataType)t.DataType}.");
        return !t.RawData.IsEmpty ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
    }

    /// <summary>The single number held by a constant tensor (float or integer), or null if not a constant scalar.</summary>
    public double? ScalarValue(string tensor)
    {
        var t = ConstantValue(tensor);
        if (t is null || ElementCount(t) != 1) return null;
        return (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => ReadFloats(t, tensor)[0],
            TensorProto.Types.DataType.Int64 => ReadInt64s(t, tensor)[0],
            _ => null,
        };
    }

    private static void CheckInline(TensorProto t, string role)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidDataException($"{role}: {Describe(t)} is stored in an external file; only self-contained models are supported.");
    }
}
