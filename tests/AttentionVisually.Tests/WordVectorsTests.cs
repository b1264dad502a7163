namespace AttentionVisually.Tests;

public class WordVectorsTests
{
    [Fact]
    public void Held_out_pairs_differ_along_the_gender_direction_built_from_other_pairs()
    {
        var v = WordVectors.Load();
        var gender = v.Direction(("man", "woman"), ("king", "queen"), ("boy", "girl"), ("he", "she"), ("father", "mother"));
        foreach (var (a, b) in new[] { ("actor", "actress"), ("brother", "sister"), ("uncle", "aunt"), ("son", "daughter") })
            Assert.True(WordVectors.Cosine(v[b] - v[a], gender) > 0.3, $"{b} - {a}");
        // Two random directions in 384 dimensions have a cosine of about ±0.05 (standard deviation 1/√384).
    }

    [Fact]
    public void A_direction_is_a_unit_vector()
    {
        var v = WordVectors.Load();
        Assert.Equal(1.0, v.Direction(("cat", "cats")).L2Norm(), 5);
    }

    [Fact]
    public void A_malformed_file_names_the_line()
    {
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, ["word,d0,d1", "a,1,2", "b,1"]);
        var ex = Assert.Throws<FormatException>(() => WordVectors.Load(path));
        Assert.Contains("line 3", ex.Message);
        File.Delete(path);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void A_file_with_a_non_finite_number_is_refused_naming_the_file_and_the_line(string bad)
    {
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, ["word,d0,d1", "a,1,2", "", $"b,1,{bad}"]);
        var ex = Assert.Throws<FormatException>(() => WordVectors.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("line 4", ex.Message); // the file's own line, blank lines counted
        File.Delete(path);
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    [InlineData("\"quoted\"")]
    [InlineData("")]
    public void Saving_a_word_the_format_cannot_hold_is_refused_and_writes_nothing(string word)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.csv");
        var words = new[] { ("ok", MathNet.Numerics.LinearAlgebra.Vector<float>.Build.Dense([1f, 2f])), (word, MathNet.Numerics.LinearAlgebra.Vector<float>.Build.Dense([3f, 4f])) };
        var ex = Assert.Throws<ArgumentException>(() => WordVectors.Save(path, words));
        Assert.Equal("words", ex.ParamName);
        Assert.Contains("words[1]", ex.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Saved_words_load_back_exactly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.csv");
        var words = new[] { ("café", MathNet.Numerics.LinearAlgebra.Vector<float>.Build.Dense([1.5f, -2e-8f])), ("l'été", MathNet.Numerics.LinearAlgebra.Vector<float>.Build.Dense([3f, float.MaxValue])) };
        WordVectors.Save(path, words);
        var loaded = WordVectors.Load(path);
        Assert.Equal(["café", "l'été"], loaded.Words);
        Assert.Equal(words[1].Item2, loaded["l'été"]);
        File.Delete(path);
    }
}
