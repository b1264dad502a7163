using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

public class SafeTensorsTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");

    public void Dispose()
    {
        File.Delete(path);
        GC.SuppressFinalize(this);
    }

    private static List<KeyValuePair<string, NamedTensor>> Two() =>
    [
        new("a", new NamedTensor([2, 3], [1, 2, 3, 4, 5, 6])),
        new("b.bias", new NamedTensor([2], [-0.5f, float.Epsilon])),
    ];

    [Fact]
    public void Tensors_and_metadata_survive_a_round_trip_bit_for_bit()
    {
        SafeTensors.Write(path, Two(), new Dictionary<string, string> { ["k"] = "v" });

        var (tensors, metadata) = SafeTensors.Read(path);

        Assert.Equal("v", metadata["k"]);
        Assert.Equal([2, 3], tensors["a"].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensors["a"].Values);
        Assert.Equal([-0.5f, float.Epsilon], tensors["b.bias"].Values);
    }

    [Fact]
    public void The_header_follows_the_format_an_eight_byte_length_then_json()
    {
        SafeTensors.Write(path, Two(), new Dictionary<string, string>());
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BitConverter.ToUInt64(bytes, 0);

        Assert.Equal(0UL, n % 8);
        string json = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Contains("\"dtype\":\"F32\"", json);
        Assert.Contains("\"data_offsets\":[0,24]", json);
        Assert.Equal(8 + (int)n + (8 * 4), bytes.Length);
    }

    [Fact]
    public void A_truncated_file_names_the_file_and_the_tensor_that_does_not_fit()
    {
        SafeTensors.Write(path, Two(), new Dictionary<string, string>());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("\"b.bias\"", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_file_of_another_format_is_refused_with_its_name()
    {
        File.WriteAllText(path, "PK\u0003\u0004 this is a zip, not safetensors");

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not safetensors", e.Message);
    }

    [Fact]
    public void A_tiny_file_is_refused_with_its_name()
    {
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_tensor_of_another_dtype_is_named()
    {
        string header = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        var bytes = BitConverter.GetBytes((ulong)header.Length).Concat(System.Text.Encoding.UTF8.GetBytes(header)).Concat(new byte[4]).ToArray();
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains("\"w\"", e.Message);
        Assert.Contains("F16", e.Message);
    }

    [Fact]
    public void Writing_values_that_do_not_fill_the_shape_names_the_tensor()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new("w", new NamedTensor([2, 2], [1, 2, 3]))], new Dictionary<string, string>()));
        Assert.Contains("\"w\"", e.Message);
    }
}
