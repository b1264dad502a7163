using Onnx;

namespace AttentionVisually.Tests;

/// <summary>What the real-model tests share: the packaged bytes and the sentences of the course.</summary>
internal static class RealModelFixture
{
    private static readonly Lazy<byte[]> Bytes = new(MiniLmResources.ReadModelBytes);

    /// <summary>The packaged ONNX model as bytes (read once).</summary>
    public static byte[] ModelBytes => Bytes.Value;

    /// <summary>A fresh, independently parsed copy of the graph that a test may change.</summary>
    public static ModelProto ParseModel() => ModelProto.Parser.ParseFrom(ModelBytes);

    /// <summary>The vocabulary lines, read here without the library: line n is token n.</summary>
    public static readonly Lazy<string[]> VocabularyLines = new(() =>
    {
        using var stream = MiniLmResources.OpenVocabulary();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    });

    /// <summary>The course's example sentences (chapters 02 and 09).</summary>
    public static readonly string[] CourseSentences =
    [
        "a fluffy blue creature roamed the verdant forest",
        "American shrew mole",
        "one mole of carbon dioxide",
        "take a biopsy of the mole",
        "the Eiffel tower",
        "a miniature Eiffel tower",
    ];

    public static TheoryData<string> Sentences => new([.. CourseSentences, "Attention, visually: a 6-layer encoder reads every token at once!", "x"]);
}
