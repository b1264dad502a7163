namespace AttentionVisually.Tests;

public class TableTests
{
    [Fact]
    public void Anonymous_rows_become_columns_in_declaration_order_with_invariant_numbers()
    {
        var t = new[] { new { model = "GPT-3", layers = 96, share = 0.33333 }, new { model = "<b>", layers = 12_000, share = 2.5e-6 } }.ToTable();
        Assert.Equal(["model", "layers", "share"], t.Headers);
        Assert.Equal(["GPT-3", "96", "0.33333"], t.Rows[0]);
        Assert.Equal(["<b>", "12,000", "2.5E-06"], t.Rows[1]);
        Assert.Contains("<td>&lt;b&gt;</td>", t.ToHtml());
        Assert.StartsWith("model", t.ToString());
    }

    [Fact]
    public void A_table_with_a_footer_closes_with_it_in_html_and_in_text()
    {
        var t = Table.From(["part", "count"], [["W_Q", "1,000"], ["W_K", "234"]], ["total", "1,234"]);
        string html = t.ToHtml();
        Assert.Equal("<table class=\"av-table\"><thead><tr><th>part</th><th>count</th></tr></thead>"
            + "<tbody><tr><td>W_Q</td><td>1,000</td></tr><tr><td>W_K</td><td>234</td></tr></tbody>"
            + "<tfoot><tr><th>total</th><th>1,234</th></tr></tfoot></table>", html);
        string[] lines = t.ToString().Split('\n');
        Assert.Equal(["part   count", "-----  -----", "W_Q    1,000", "W_K    234", "-----  -----", "total  1,234"], lines);
    }

    [Fact]
    public void A_row_or_footer_of_another_width_is_rejected_naming_it()
    {
        Assert.Contains("row 1 has 1 cells", Assert.Throws<ArgumentException>(() => Table.From(["a", "b"], [["1", "2"], ["3"]])).Message);
        Assert.Equal("footer", Assert.Throws<ArgumentException>(() => Table.From(["a", "b"], [["1", "2"]], ["total"])).ParamName);
        Assert.Equal("headers", Assert.Throws<ArgumentException>(() => Table.From([], [])).ParamName);
    }

    [Fact]
    public void A_row_type_without_properties_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new[] { 1, 2 }.ToTable());
    }
}
