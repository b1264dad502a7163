using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

public class ExpectTests
{
    [Fact]
    public void Expect_throws_with_the_numbers_when_a_check_fails()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Expect.Near("share", 0.5, 0.33, 0.01));
        Assert.Contains("0.5", ex.Message);
        Assert.Contains("0.33", ex.Message);
        Assert.Throws<InvalidOperationException>(() => Expect.That("rows sum to 1", false));
    }

    [Fact]
    public void Expect_confirms_a_check_that_holds()
    {
        Assert.StartsWith("✔", Expect.Near("x", 1.0, 1.0, 1e-9));
        Assert.StartsWith("✔", Expect.That("y", true));
    }
}
