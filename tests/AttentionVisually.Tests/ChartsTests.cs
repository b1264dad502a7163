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

    [Fact]
    public void A_pattern_with_its_mask_leaves_the_hidden_cells_blank_instead_of_zero()
    {
        var pattern = Attention.Pattern(Init.Normal(3, 4, 1), Init.Normal(3, 4, 2), Mask.Causal(3));
        var withMask = GenericChart.toChartHTML(Charts.Pattern(pattern, ["a", "b", "c"], ["a", "b", "c"], "Causal", Mask.Causal(3)));
        var without = GenericChart.toChartHTML(Charts.Pattern(pattern, ["a", "b", "c"], ["a", "b", "c"], "Causal"));
        Assert.Equal(3, withMask.Split("NaN").Length - 1);
        Assert.DoesNotContain("NaN", without);
    }

    [Fact]
    public void A_grid_of_causal_patterns_with_their_mask_leaves_the_hidden_cells_blank()
    {
        var a = Attention.Pattern(Init.Normal(3, 4, 1), Init.Normal(3, 4, 2), Mask.Causal(3));
        var html = GenericChart.toChartHTML(Charts.PatternGrid([a, a], ["h1", "h2"], ["a", "b", "c"], ["a", "b", "c"], "Grid", 2, Mask.Causal(3)));
        Assert.Equal(6, html.Split("NaN").Length - 1);
        Assert.Throws<ArgumentException>(() => Charts.PatternGrid([a], ["h1"], ["a", "b", "c"], ["a", "b", "c"], "Grid", 1, Mask.Causal(4)));
    }

    [Fact]
    public void Arrows_draw_one_annotation_per_move_and_reject_an_empty_list()
    {
        Move[] moves = [new("tower", 0, 1, "Eiffel tower", 2, 1), new("Eiffel tower", 2, 1, "miniature Eiffel tower", 1, 0)];
        var html = GenericChart.toChartHTML(Charts.Arrows("Tower", "Paris", "size", moves));
        Assert.Equal(2, html.Split("\"arrowhead\":3").Length - 1);
        Assert.Contains("miniature Eiffel tower", html);
        Assert.Throws<ArgumentException>(() => Charts.Arrows("Tower", "x", "y", []));
    }

    [Fact]
    public void Shares_are_one_pie_and_negative_parts_are_rejected()
    {
        var html = GenericChart.toChartHTML(Charts.Shares("Parts", ["a", "b"], [2.0, 1.0]));
        Assert.Contains("\"type\":\"pie\"", html);
        var ex = Assert.Throws<ArgumentException>(() => Charts.Shares("Parts", ["a", "b"], [2.0, -1.0]));
        Assert.Equal("values", ex.ParamName);
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
