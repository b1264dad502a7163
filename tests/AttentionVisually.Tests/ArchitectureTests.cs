using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AttentionVisually.Tests;

/// <summary>
/// The library is layered by what it depends on: the core needs MathNet (and a CSV reader) only, every other part builds on
/// the core, and no namespace uses a namespace that uses it back. Checked from the sources and project files,
/// so a new arrow shows up here before it shows up in a chapter.
/// </summary>
public partial class ArchitectureTests
{
    private static string Lib => Path.Combine(CoursePaths.Root, "lib");

    private static IEnumerable<string> Includes(string project, string item) =>
        XDocument.Load(Path.Combine(Lib, project, project + ".csproj")).Descendants(item)
            .Select(e => (string?)e.Attribute("Include") ?? "").Where(i => i.Length > 0);

    [Fact]
    public void The_core_depends_on_the_math_packages_and_a_CSV_reader_only_and_on_no_other_project()
    {
        Assert.Empty(Includes("AttentionVisually", "ProjectReference"));
        Assert.Equal(["MathNet.Numerics", "MathNet.Numerics.Providers.OpenBLAS", "Sep", "System.Numerics.Tensors"], Includes("AttentionVisually", "PackageReference").Order());
    }

    [Theory]
    [InlineData("AttentionVisually.Torch", "TorchSharp-cpu")]
    [InlineData("AttentionVisually.RealModel", "Microsoft.ML.OnnxRuntime")]
    [InlineData("AttentionVisually.Notebooks", "Plotly.NET")]
    public void Each_other_part_builds_on_the_core_alone_and_brings_its_own_heavy_package(string project, string package)
    {
        Assert.Equal(["../AttentionVisually/AttentionVisually.csproj"], Includes(project, "ProjectReference"));
        Assert.Contains(package, Includes(project, "PackageReference"));
    }

    [Fact]
    public void No_namespace_of_the_library_uses_a_namespace_that_uses_it_back()
    {
        var files = Directory.EnumerateFiles(Lib, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: f, Code: WithoutCommentsAndStrings(File.ReadAllText(f))))
            .Select(f => (f.File, f.Code, Namespace: NamespaceDeclaration().Match(f.Code).Groups[1].Value))
            .ToArray();
        Assert.All(files, f => Assert.False(f.Namespace.Length == 0, $"{f.File} declares no file-scoped namespace"));
        var typesOf = files.GroupBy(f => f.Namespace).ToDictionary(
            g => g.Key, g => g.SelectMany(f => TypeDeclaration().Matches(f.Code).Select(m => m.Groups[1].Value)).ToHashSet());

        var uses = typesOf.Keys.ToDictionary(ns => ns, _ => new HashSet<string>());
        foreach (var (file, code, ns) in files)
        {
            // Named: a using directive or a qualified name.
            foreach (Match m in CourseNamespaceUse().Matches(code))
            {
                if (m.Groups[1].Value != ns && typesOf.ContainsKey(m.Groups[1].Value)) uses[ns].Add(m.Groups[1].Value);
            }
            // Unnamed: code sees its parent namespaces' types without a using; count a parent when one of its types appears.
            for (int dot = ns.LastIndexOf('.'); dot > 0; dot = ns.LastIndexOf('.', dot - 1))
            {
                string parent = ns[..dot];
                if (typesOf.TryGetValue(parent, out var types) && Identifiers().Matches(code).Any(m => types.Contains(m.Value))) uses[ns].Add(parent);
            }
        }

        foreach (var (ns, used) in uses)
        {
            foreach (var other in used)
            {
                Assert.False(Reaches(uses, other, ns, []), $"{ns} uses {other}, and {other} leads back to {ns}");
            }
        }
    }

    private static string WithoutCommentsAndStrings(string code) =>
        CommentOrString().Replace(code, m => m.Value.StartsWith('/') ? "" : "\"\"");

    [Fact]
    public void The_chart_extension_the_set_up_loads_is_the_version_pinned_for_the_course()
    {
        string pinned = XDocument.Load(Path.Combine(CoursePaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "Plotly.NET.Interactive").Attribute("Version")!.Value;
        string setup = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", "setup.dib"));
        Assert.Contains($"#r \"nuget:Plotly.NET.Interactive,{pinned}\"", setup);
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> uses, string from, string to, HashSet<string> seen)
    {
        if (from == to) return true;
        if (!seen.Add(from) || !uses.TryGetValue(from, out var next)) return false;
        return next.Any(n => Reaches(uses, n, to, seen));
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@?\$?""(?:[^""\\]|\\.)*""", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    // A capitalised name used as a type: not a method call "Name(", unless it is a constructor "new Name(".
    [GeneratedRegex(@"(?<=\bnew\s+)[A-Z]\w*|\b[A-Z]\w*\b(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    // A using directive or a qualified name: "using AttentionVisually.Torch;" or "AttentionVisually.RealModel.MiniLm".
    [GeneratedRegex(@"\b(AttentionVisually(?:\.(?:Torch|RealModel|Notebooks|Layers|Lesson|Kernels|Gpt))*)\b(?=\s*[;.])")]
    private static partial Regex CourseNamespaceUse();
}
