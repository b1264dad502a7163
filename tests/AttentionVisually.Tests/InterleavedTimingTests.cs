namespace AttentionVisually.Tests;

/// <summary><see cref="InterleavedTiming"/> and <see cref="Statistics"/>: order of calls, one sample per round, ratios within a round. No clock is asserted.</summary>
public class InterleavedTimingTests
{
    [Fact]
    public void Rounds_run_every_contender_once_in_the_given_order()
    {
        var calls = new List<string>();
        var contenders = new[] { new Contender("A", "x", 1, () => calls.Add("A")), new Contender("B", "x", 1, () => calls.Add("B")) };

        var samples = InterleavedTiming.Run(contenders, rounds: 3, minSampleSeconds: 0, settleMilliseconds: 0);

        Assert.Equal(["A", "B"], samples.Select(s => s.Contender.Engine));
        Assert.All(samples, s => Assert.Equal(3, s.Seconds.Length));
        Assert.Equal("A B A B A B", string.Join(' ', calls.Skip(calls.Count - 6))); // after the warm-up: interleaved
    }

    [Fact]
    public void Speed_ratios_divide_the_reference_time_by_the_time_of_the_same_round()
    {
        var reference = new Samples(new Contender("ref", "x", 1, () => { }), [2.0, 4.0, 6.0], 1);
        var other = new Samples(new Contender("other", "x", 1, () => { }), [1.0, 8.0, 3.0], 1);

        Assert.Equal([2.0, 0.5, 2.0], other.SpeedRatiosTo(reference));
        Assert.Equal(4.0, reference.Median);
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 2.0, 3.0 }, 2.5)]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_values(double[] values, double expected)
    {
        Assert.Equal(expected, Statistics.Median(values));
    }

    [Fact]
    public void Rejects_zero_rounds_and_an_empty_sample()
    {
        Assert.Equal("rounds", Assert.Throws<ArgumentOutOfRangeException>(() => InterleavedTiming.Run([], rounds: 0, 0, 0)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Median([])).ParamName);
    }
}
