using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

public class LibrarySourceTests
{
    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [Theory]
    [InlineData("Attention.Scores", "Attention.cs", "return q.TransposeAndMultiply(k);")]
    [InlineData("Softmax.InPlace", "Softmax.cs", "MathF.Exp((row[j] - max) / temperature)")]
    [InlineData("Mask.Causal", "Mask.cs", "a[i, j] = true;")]
    [InlineData("MultiHeadAttention.DeltaEViaOutputMatrix", "MultiHeadAttention.cs", "concat.TransposeAndMultiply(WO)")]
    public void A_member_is_cut_from_the_library_file_as_it_is_on_disk(string member, string file, string line)
    {
        var code = LibrarySource.Of(member);
        Assert.Contains(line, code);
        Assert.Contains(file, code);
        var onDisk = File.ReadAllText(Path.Combine(Repository(), "lib", "AttentionVisually", file)).Replace("\r", "");
        // Every line shown is a line of the file (dedented), in order.
        var body = code.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        int at = 0;
        foreach (var l in body)
        {
            at = onDisk.IndexOf(l, at, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{l}' is not in {file} in this order");
        }
        Assert.EndsWith("}", code.TrimEnd());
    }

    [Fact]
    public void An_overload_is_chosen_by_its_position()
    {
        Assert.Contains("var deltaE = pattern * v;", LibrarySource.Of("AttentionHead.Forward", overload: 2));
        Assert.DoesNotContain("var deltaE", LibrarySource.Of("AttentionHead.Forward"));
    }

    [Fact]
    public void An_unknown_member_is_named_in_the_error()
    {
        Assert.Contains("Attention.Nope", Assert.Throws<ArgumentException>(() => LibrarySource.Of("Attention.Nope")).Message);
        Assert.Contains("Type.Member", Assert.Throws<ArgumentException>(() => LibrarySource.Of("Scores")).Message);
    }
}
