namespace AttentionVisually.Tests;

/// <summary>The one rule for finding the course's folder, on folder trees built for each test.</summary>
public sealed class CourseRootTests : IDisposable
{
    private readonly string top = Path.Combine(Path.GetTempPath(), $"course-root-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public CourseRootTests() => Directory.CreateDirectory(top);

    public void Dispose() => Directory.Delete(top, recursive: true);

    private string Folder(params string[] parts)
    {
        string dir = Path.Combine([top, .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void Mark(string dir) => File.WriteAllText(Path.Combine(dir, "Course.sln"), "");

    [Fact]
    public void The_nearest_folder_holding_Course_sln_at_or_above_the_start_is_the_root()
    {
        string outer = Folder("outer"), inner = Folder("outer", "inner"), start = Folder("outer", "inner", "bin", "Release");
        Mark(outer);
        Mark(inner);
        Assert.Equal(inner, CourseRoot.TryFind(start));
        Assert.Equal(inner, CourseRoot.TryFind(inner));
        Assert.Equal(outer, CourseRoot.TryFind(Folder("outer", "other")));
    }

    [Fact]
    public void The_first_start_that_leads_to_a_course_wins_and_empty_starts_are_skipped()
    {
        string first = Folder("first"), second = Folder("second");
        Mark(first);
        Mark(second);
        Assert.Equal(second, CourseRoot.Find("", Folder("second", "deep"), first));
    }

    [Fact]
    public void A_search_that_finds_nothing_names_the_marker_and_every_start()
    {
        string a = Folder("a"), b = Folder("b");
        Assert.True(CourseRoot.TryFind(a) is null, $"precondition: no folder above {top} may hold Course.sln");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => CourseRoot.Find(a, b));
        Assert.Contains("Course.sln", ex.Message);
        Assert.Contains(a, ex.Message);
        Assert.Contains(b, ex.Message);
    }
}
