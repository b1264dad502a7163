using Plotly.NET;

namespace AttentionVisually.Tests;

public class ChartsTests
{
    [Fact]
    public void A_pattern_chart_puts_queries_on_x_and_keys_on_y_on_the_shared_0_to_1_scale()
    {
        var pattern = Attention.Pattern(Init.Normal(2, 4, 1), Init.Normal(3, 4, 2));
        var html = GenericChart.toChartHTML(Charts.Pattern(pattern, ["q0", "q1"], ["k0", "k1", "k2"], "A pattern"));
        Assert.Contains("\"x\":[\"q0\",\"q1\"]", html);
        Assert.Contains("\"y\":[\"k0\",\"k1\",\"k2\"]", html);
        Assert.Contains("\"zmin\":0.0", html);
        Assert.Contains("\"zmax\":1.0", html);
        Assert.Contains("Viridis", html);
        Assert.Contains("A pattern", html);
    }

    [Fact]
    public void Masked_scores_are_drawn_as_gaps()
    {
        var scores = Attention.ApplyMask(Init.Normal(2, 2, 1), Mask.Causal(2));
        var html = GenericChart.toChartHTML(Charts.Heatmap(scores, ["a", "b"], ["a", "b"], "Scores", "key", "query"));
        Assert.Contains("NaN", html);
    }

    [Fact]
    public void Repeated_tokens_stay_separate_categories()
    {
        var labels = Charts.UniqueLabels(["the", "cat", "the"]);
        Assert.Equal(3, labels.Distinct().Count());
        Assert.Equal("the", labels[0]);
    }

    [Fact]
    public void Labels_that_do_not_match_the_data_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Charts.Bars("t", "x", "y", ["a"], [1.0, 2.0]));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void Every_chart_needs_a_title()
    {
        Assert.Throws<ArgumentException>(() => Charts.Lines(" ", "x", "y", [new Series("s", [1.0], [2.0])]));
    }
}

public class PatternExplorerTests
{
    [Fact]
    public void The_explorer_shows_one_pattern_and_offers_every_other_in_a_dropdown()
    {
        var p = Enumerable.Range(0, 3).Select(s => Attention.Pattern(Init.Normal(2, 4, s), Init.Normal(2, 4, s + 9))).ToArray();
        var html = Plotly.NET.GenericChart.toChartHTML(Charts.PatternExplorer(p, ["L1 H1", "L1 H2", "L2 H1"], ["a", "b"], ["a", "b"], "Heads", initial: 1));
        Assert.Contains("updatemenus", html);
        Assert.Contains("\"label\":\"L2 H1\"", html);
        Assert.Contains("\"visible\":[false,true,false]", html);
        Assert.Equal(3, html.Split("\"type\":\"heatmap\"").Length - 1 - CountTemplateHeatmaps(html));
    }

    private static int CountTemplateHeatmaps(string html) => html.Split("\"heatmap\":[{\"type\":\"heatmap\"").Length - 1;
}

public class ModelViewTests
{
    [Fact]
    public void The_model_view_draws_one_heatmap_per_layer_and_head_titled_by_both()
    {
        var layers = Enumerable.Range(0, 2).Select(l => (IReadOnlyList<MathNet.Numerics.LinearAlgebra.Matrix<float>>)Enumerable.Range(0, 3)
            .Select(h => Attention.Pattern(Init.Normal(2, 4, (10 * l) + h), Init.Normal(2, 4, 50 + h), Mask.Causal(2))).ToArray()).ToArray();

        var html = Plotly.NET.GenericChart.toChartHTML(Charts.ModelView(layers, ["<s>", "harry"], "Every head"));

        Assert.Contains("L1 H2", html);
        Assert.Contains("L0 H0", html);
        Assert.Equal(6, html.Split("\"type\":\"heatmap\"").Length - 1 - (html.Split("\"heatmap\":[{\"type\":\"heatmap\"").Length - 1));
    }

    [Fact]
    public void Layers_with_different_head_counts_are_refused()
    {
        var p = Attention.Pattern(Init.Normal(2, 4, 1), Init.Normal(2, 4, 2));
        var e = Assert.Throws<ArgumentException>(() => Charts.ModelView([[p, p], [p]], ["a", "b"], "x"));
        Assert.Contains("(2, 1)", e.Message);
    }
}
