namespace AttentionVisually;

/// <summary>
/// The one rule for finding the course's folder: the nearest folder, at or above a start folder, that holds
/// <c>Course.sln</c>. Each caller chooses where to start: the library (<c>CoursePaths</c>) from the working
/// directory and its own location, the notebook runner from the working directory, its tests from their build folder.
/// </summary>
/// <remarks>
/// The runner compiles this file in as a linked source rather than referencing the library: its kernels run in its
/// own process, and a referenced AttentionVisually.dll there would be the one a chapter's <c>#r</c> gets, instead
/// of the library build the chapter names (see tools/NotebookRunner/NotebookRunner.csproj). Internal, so the two
/// copies never meet in a public API.
/// </remarks>
internal static class CourseRoot
{
    /// <summary>The file that marks the course's folder.</summary>
    public const string Marker = "Course.sln";

    /// <summary>The nearest folder at or above <paramref name="start"/> holding <see cref="Marker"/>, or null.</summary>
    /// <param name="start">Where to start; relative paths are taken from the working directory.</param>
    /// <returns>The folder's full path, or null when no folder up to the file system's root holds the marker.</returns>
    public static string? TryFind(string start)
    {
        ArgumentException.ThrowIfNullOrEmpty(start);
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The course's folder found from the first start that leads to one.</summary>
    /// <param name="starts">Where to start, in order; empty entries are skipped.</param>
    /// <returns>The folder's full path.</returns>
    /// <exception cref="DirectoryNotFoundException">No start leads to the course's folder; the message names every start searched.</exception>
    public static string Find(params string[] starts)
    {
        var searched = starts.Where(s => !string.IsNullOrEmpty(s)).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
        foreach (string start in searched)
        {
            if (TryFind(start) is { } root) return root;
        }
        throw new DirectoryNotFoundException(NotFound(searched) + ".");
    }

    /// <summary>The error for a search that found nothing: what was looked for and where.</summary>
    /// <param name="searched">The start folders.</param>
    /// <returns>A clause naming the marker and every start folder, without a closing full stop.</returns>
    public static string NotFound(IReadOnlyCollection<string> searched) =>
        $"cannot find the course folder (the one holding {Marker}) at or above "
        + (searched.Count == 0 ? "any start folder" : string.Join(" or ", searched));
}
