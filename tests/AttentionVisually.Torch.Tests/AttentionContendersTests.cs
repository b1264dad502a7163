namespace AttentionVisually.Tests;

/// <summary><see cref="AttentionContenders"/>: the engines the bench and chapter 09 time, each on its own data.</summary>
public class AttentionContendersTests
{
    [Theory]
    [InlineData(1, 70, 16, true)]
    [InlineData(3, 65, 8, false)]
    public void The_managed_kernel_and_sdpa_compute_the_same_attention_on_their_own_data(int numHeads, int seqLen, int headDim, bool isCausal)
    {
        using var contenders = new AttentionContenders(numHeads, seqLen, headDim, isCausal, managedThreads: 2, seed: 5);

        Assert.InRange(contenders.ManagedVersusSdpa, 0, 1e-5);
    }

    [Fact]
    public void Sdpa_comes_first_and_the_copies_are_rows_of_their_own_without_flops()
    {
        using var contenders = new AttentionContenders(1, 32, 8, isCausal: true);
        var engines = contenders.All.Select(c => c.Engine).ToArray();

        Assert.Equal("torch SDPA", engines[0]);
        Assert.Contains("managed flash", engines);
        Assert.Equal(2, contenders.All.Count(c => double.IsNaN(c.Flops)));
        Assert.All(contenders.All.Where(c => !double.IsNaN(c.Flops)), c => Assert.Equal(AttentionContenders.Flops(32, 8, isCausal: true), c.Flops));
        foreach (var c in contenders.All)
        {
            c.Call(); // every contender runs on the data set up for it
        }
    }

    [Fact]
    public void The_explicit_managed_engine_is_left_out_above_its_size_limit()
    {
        using var small = new AttentionContenders(1, 32, 8, isCausal: false, explicitUpTo: 32);
        using var large = new AttentionContenders(1, 33, 8, isCausal: false, explicitUpTo: 32);

        Assert.Contains(small.All, c => c.Data == "MathNet matrices");
        Assert.DoesNotContain(large.All, c => c.Data == "MathNet matrices");
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(4, 5)]
    public void Flops_count_four_d_per_visible_pair(int seqLen, int headDim)
    {
        Assert.Equal(4.0 * headDim * seqLen * seqLen, AttentionContenders.Flops(seqLen, headDim, isCausal: false));
        Assert.Equal(4.0 * headDim * (seqLen * (seqLen + 1) / 2), AttentionContenders.Flops(seqLen, headDim, isCausal: true));
    }

    [Fact]
    public void Rejects_a_sequence_of_no_tokens()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionContenders(1, 0, 8, isCausal: true));

        Assert.Equal("seqLen", error.ParamName);
    }
}
