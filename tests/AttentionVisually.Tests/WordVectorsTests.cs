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
}
