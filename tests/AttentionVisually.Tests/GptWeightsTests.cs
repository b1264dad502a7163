using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

public class GptWeightsTests : IClassFixture<SmallGptFixture>, IDisposable
{
    private readonly SmallGptFixture shipped;
    private readonly string path = Path.Combine(Path.GetTempPath(), $"gpt-{Guid.NewGuid():N}.safetensors");

    public GptWeightsTests(SmallGptFixture shipped) => this.shipped = shipped;

    public void Dispose()
    {
        File.Delete(path);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void The_shipped_checkpoint_loads_with_the_course_configuration_and_vocabulary()
    {
        Assert.Equal(SmallGptConfig.Default, shipped.Weights.Config);
        Assert.Equal(string.Join(' ', StoryGrammar.Vocabulary), shipped.Metadata["vocabulary"]);
        Assert.InRange(new FileInfo(SmallGptFixture.Path).Length, 100_000, 4_000_000);
    }

    [Fact]
    public void Saving_and_loading_gives_the_same_tensors()
    {
        shipped.Weights.Save(path, new Dictionary<string, string> { ["note"] = "copy" });

        var (copy, metadata) = GptWeights.Load(path);

        Assert.Equal("copy", metadata["note"]);
        Assert.Equal(shipped.Weights.ToTensors().Select(t => t.Key), copy.ToTensors().Select(t => t.Key));
        Assert.All(shipped.Weights.ToTensors().Zip(copy.ToTensors()), p => Assert.Equal(p.First.Value.Values, p.Second.Value.Values));
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_the_file()
    {
        var tensors = shipped.Weights.ToTensors().ToList();
        int i = tensors.FindIndex(t => t.Key == "blocks.1.attention.qkv.weight");
        tensors[i] = new(tensors[i].Key, new NamedTensor([96, 64], new float[96 * 64]));
        SafeTensors.Write(path, tensors, GptWeights.ConfigMetadata(SmallGptConfig.Default));

        var e = Assert.Throws<InvalidDataException>(() => GptWeights.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("\"blocks.1.attention.qkv.weight\"", e.Message);
        Assert.Contains("(96, 64)", e.Message);
        Assert.Contains("(192, 64)", e.Message);
    }

    [Fact]
    public void A_missing_tensor_is_named_with_the_file()
    {
        var tensors = shipped.Weights.ToTensors().Where(t => t.Key != "finalNorm.bias").ToList();
        SafeTensors.Write(path, tensors, GptWeights.ConfigMetadata(SmallGptConfig.Default));

        var e = Assert.Throws<InvalidDataException>(() => GptWeights.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("\"finalNorm.bias\"", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_names_the_file_and_a_tensor()
    {
        byte[] bytes = File.ReadAllBytes(SmallGptFixture.Path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => GptWeights.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor \"", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_safetensors_file_without_the_configuration_says_it_is_not_a_course_checkpoint()
    {
        SafeTensors.Write(path, shipped.Weights.ToTensors(), new Dictionary<string, string>());

        var e = Assert.Throws<InvalidDataException>(() => GptWeights.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("vocab_size", e.Message);
    }

    [Fact]
    public void Weights_whose_shapes_disagree_with_the_configuration_are_refused_by_name()
    {
        var w = shipped.Weights;
        var e = Assert.Throws<ArgumentException>(() => new GptWeights(w.Config, w.TokenEmbedding, w.PositionEmbedding.SubMatrix(0, 40, 0, 64), w.Blocks, w.FinalNorm));
        Assert.Contains("\"positions.weight\"", e.Message);
    }
}
