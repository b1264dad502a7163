using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

/// <summary>The shipped checkpoint, loaded and measured once for every test that reads it.</summary>
public sealed class SmallGptFixture
{
    public SmallGptFixture()
    {
        (Weights, Metadata) = GptWeights.Load(Path);
        Model = new SmallGptModel(Weights);
        Findings = SmallGptFindings.Measure(Model);
    }

    public static string Path => System.IO.Path.Combine(CoursePaths.Data, "small-gpt.safetensors");

    public GptWeights Weights { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SmallGptModel Model { get; }

    public SmallGptFindings Findings { get; }
}
