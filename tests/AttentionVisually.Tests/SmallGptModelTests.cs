using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

public class SmallGptModelTests : IClassFixture<SmallGptFixture>
{
    private readonly SmallGptFixture shipped;

    public SmallGptModelTests(SmallGptFixture shipped) => this.shipped = shipped;

    [Fact]
    public void Removing_a_heads_delta_e_changes_the_logits_and_removing_none_changes_nothing()
    {
        var words = GptProbe.HeldOut(StoryTask.Mystery, 1)[0].Tokens;
        var full = shipped.Model.Run(words).Logits;

        Assert.Equal(full, shipped.Model.Run(words, []).Logits);
        Assert.True((full - shipped.Model.Run(words, [new HeadId(1, 0)]).Logits).FrobeniusNorm() > 1e-2);
    }

    [Fact]
    public void The_logit_lens_of_the_last_residual_is_the_logits()
    {
        var trace = shipped.Model.Run(GptProbe.HeldOut(StoryTask.Harry, 1)[0].Tokens);

        Assert.Equal(shipped.Model.Config.NumLayers + 1, trace.Residuals.Count);
        Assert.True((shipped.Model.Unembed(trace.Residuals[^1]) - trace.Logits).InfinityNorm() < 1e-5);
    }

    [Fact]
    public void Bad_input_is_named()
    {
        Assert.Contains("1 to 48", Assert.Throws<ArgumentException>(() => shipped.Model.Run(Array.Empty<int>())).Message);
        Assert.Contains("ids[1] = 999", Assert.Throws<ArgumentException>(() => shipped.Model.Run([1, 999])).Message);
        Assert.Contains("L7 H0", Assert.Throws<ArgumentException>(() => shipped.Model.Run([1, 2], [new HeadId(7, 0)])).Message);
        Assert.Contains("1 to 48", Assert.Throws<ArgumentException>(() => shipped.Model.Run(Enumerable.Repeat(1, 49).ToArray())).Message);
    }
}
