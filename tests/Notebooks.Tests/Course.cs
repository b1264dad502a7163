using System.Diagnostics;
using System.Reflection;
using System.Xml.Linq;

namespace Notebooks.Tests;

/// <summary>Paths of the repository and a way to run the notebook runner as the course does.</summary>
internal static class Course
{
    /// <summary>The repository root (the folder with Course.sln).</summary>
    public static string Root { get; } = AttentionVisually.CourseRoot.Find(AppContext.BaseDirectory);

    /// <summary>The chapters folder.</summary>
    public static string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>This test project's sample notebooks: deliberately broken ones, a passing one, an environment probe.</summary>
    public static string Samples => Path.Combine(Root, "tests", "Notebooks.Tests", "Samples");

    /// <summary>Build configuration of this test run (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(Course).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The runner built alongside these tests.</summary>
    public static string RunnerDll => Path.Combine(Root, "tools", "NotebookRunner", "bin", Configuration, "net10.0", "NotebookRunner.dll");

    /// <summary>Every chapter, as xunit data: one case per file.</summary>
    public static TheoryData<string> Chapters()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Notebooks, "*.dib")
                     .Select(Path.GetFileName)
                     .Where(n => n!.Length > 3 && char.IsAsciiDigit(n[0]) && char.IsAsciiDigit(n[1]) && n[2] == '-')
                     .Order(StringComparer.Ordinal))
        {
            data.Add(f!);
        }
        return data;
    }

    /// <summary>Runs the runner and waits.</summary>
    /// <param name="args">Its arguments.</param>
    /// <param name="limit">Time after which the test gives up.</param>
    /// <param name="workingDirectory">Where it starts; the repository root when null.</param>
    /// <returns>Exit code and everything it printed.</returns>
    public static (int ExitCode, string Output) Run(IEnumerable<string> args, TimeSpan limit, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Root };
        info.ArgumentList.Add(RunnerDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the runner did not finish within {limit}.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Makes sure the library the chapters load (Release, see notebooks/setup.dib) is built and current.</summary>
    public static void BuildLibrary()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        foreach (var a in new[] { "build", "lib/Library.slnf", "-c", "Release", "-v", "q", "--nologo" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException("building the course library failed:\n" + output);
    }

    /// <summary>A fresh folder under the system temp folder.</summary>
    /// <param name="name">Prefix.</param>
    /// <returns>Its path.</returns>
    public static string TempFolder(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>The JUnit report the runner wrote, read back.</summary>
public sealed class JUnit(XDocument xml)
{
    /// <summary>Loads a report.</summary>
    /// <param name="path">junit.xml.</param>
    /// <returns>The report.</returns>
    public static JUnit Load(string path) => new(XDocument.Load(path));

    /// <summary>The test suite of a chapter.</summary>
    /// <param name="chapter">Chapter name (file name without .dib).</param>
    /// <returns>The suite element.</returns>
    public XElement Suite(string chapter) =>
        xml.Root!.Elements("testsuite").SingleOrDefault(s => (string?)s.Attribute("name") == chapter)
        ?? throw new KeyNotFoundException($"no test suite for {chapter} in the report.");

    /// <summary>Test cases of a chapter with the given outcome (failure, skipped, error) or none (passed).</summary>
    /// <param name="chapter">Chapter name.</param>
    /// <param name="outcome">failure, skipped, error, or null for passed.</param>
    /// <returns>The test case elements.</returns>
    public IReadOnlyList<XElement> Cases(string chapter, string? outcome) =>
        Suite(chapter).Elements("testcase")
            .Where(c => outcome is null ? !c.Elements().Any() : c.Element(outcome) is not null)
            .ToList();
}

/// <summary>
/// The notebook tests start kernels, builds and a browser: they run one class at a time (this collection and
/// <see cref="CourseCollection"/> are both kept out of parallel runs), so that they do not compete for the cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "notebooks";
}

/// <summary>
/// The test classes that read the outputs of the course run: the whole course runs once per test session
/// (<see cref="CourseRun"/> is this collection's fixture) and every class of the collection shares that run.
/// A filtered run that selects none of these classes does not run the course.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CourseCollection : ICollectionFixture<CourseRun>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "course";
}
