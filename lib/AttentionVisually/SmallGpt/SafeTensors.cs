using System.Buffers.Binary;
using System.Text.Json;

namespace AttentionVisually.SmallGpt;

/// <summary>One named float32 tensor of a safetensors file: its shape and its values in row-major order.</summary>
/// <param name="Shape">The sizes of its dimensions.</param>
/// <param name="Values">Row-major values; their count is the product of <paramref name="Shape"/>.</param>
public sealed record NamedTensor(IReadOnlyList<int> Shape, float[] Values);

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's, the field's common format for weights): an
/// 8-byte little-endian header length, a JSON header mapping each tensor's name to its dtype, shape and
/// byte range, an optional <c>__metadata__</c> map of strings, then the raw little-endian data.
/// Only float32 ("F32") tensors, the course's only kind, are read or written.
/// Reference: https://github.com/huggingface/safetensors (format description in its README).
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Writes tensors and string metadata to a file, tensors in the given order.</summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="tensors">Name → tensor; each tensor's values must match its shape.</param>
    /// <param name="metadata">Strings stored in the header's <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A tensor's value count differs from the product of its shape, or a name is reserved.</exception>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, NamedTensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var header = new Dictionary<string, object> { [MetadataKey] = metadata };
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey)
                throw new ArgumentException($"tensor name \"{MetadataKey}\" is reserved for metadata.", nameof(tensors));
            long count = tensor.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != tensor.Values.Length)
                throw new ArgumentException($"tensor \"{name}\" has shape ({string.Join(", ", tensor.Shape)}) = {count} values but holds {tensor.Values.Length}.", nameof(tensors));
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = tensor.Shape, ["data_offsets"] = new[] { offset, offset + 4 * count } };
            offset += 4 * count;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8; // the format allows trailing spaces; 8-byte alignment for the data
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        stream.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
        foreach (var (_, tensor) in tensors)
        {
            var bytes = new byte[4 * tensor.Values.Length];
            for (int i = 0; i < tensor.Values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), tensor.Values[i]);
            }
            stream.Write(bytes);
        }
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Tensors by name, and the metadata (empty when the file has none).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, or a tensor is not F32 or its byte range does not fit its shape; the message names the file and the tensor.</exception>
    public static (IReadOnlyDictionary<string, NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"checkpoint not found: {path}", path);
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8)
            throw new InvalidDataException($"{path}: {file.Length} bytes is too short for a safetensors file (it starts with an 8-byte header length).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)(file.Length - 8))
            throw new InvalidDataException($"{path}: the header length says {headerLength} bytes but only {file.Length - 8} follow; the file is truncated or not safetensors.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not JSON ({e.Message}); the file is not safetensors.", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: the header is not a JSON object; the file is not safetensors.");
            int dataStart = 8 + (int)headerLength;
            long dataLength = file.Length - dataStart;
            var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == MetadataKey)
                {
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? "";
                    }
                    continue;
                }
                tensors[entry.Name] = ReadTensor(path, entry, file.AsSpan(dataStart), dataLength);
            }
            return (tensors, metadata);
        }
    }

    private static NamedTensor ReadTensor(string path, JsonProperty entry, ReadOnlySpan<byte> data, long dataLength)
    {
        string name = entry.Name;
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("dtype", out var dtype) || !e.TryGetProperty("shape", out var shape) || !e.TryGetProperty("data_offsets", out var offsets))
            throw new InvalidDataException($"{path}: tensor \"{name}\" lacks dtype, shape or data_offsets.");
        if (dtype.GetString() != "F32")
            throw new InvalidDataException($"{path}: tensor \"{name}\" has dtype {dtype.GetString()}; only F32 is supported.");
        int[] dims = shape.EnumerateArray().Select(d => d.GetInt32()).ToArray();
        long[] range = offsets.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (range.Length != 2 || range[0] < 0 || range[1] < range[0])
            throw new InvalidDataException($"{path}: tensor \"{name}\" has data_offsets [{string.Join(", ", range)}], which is not a byte range.");
        if (range[1] > dataLength)
            throw new InvalidDataException($"{path}: tensor \"{name}\" ends at byte {range[1]} of the data but the file holds {dataLength}; the file is truncated.");
        if (range[1] - range[0] != 4 * count)
            throw new InvalidDataException($"{path}: tensor \"{name}\" has shape ({string.Join(", ", dims)}) = {4 * count} bytes but its range holds {range[1] - range[0]}.");
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(int)(range[0] + 4 * i)..]);
        }
        return new NamedTensor(dims, values);
    }
}
