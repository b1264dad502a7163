using System.Text.Json;

namespace Notebooks.Tests;

/// <summary>
/// The chapters load the library's four parts from one build folder (lib/bin), so the parts must agree on every
/// package they bring: the folder holds one copy of each assembly, and a part built against another version
/// would fail inside a chapter with MissingMethodException.
/// </summary>
public sealed class LibraryFolderTests
{
    [Fact]
    public void The_library_parts_in_the_chapters_folder_agree_on_every_package_version()
    {
        Course.BuildLibrary();
        string folder = Path.Combine(Course.Root, "lib", "bin", "Release", "net10.0");
        var versions = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (string deps in Directory.GetFiles(folder, "AttentionVisually*.deps.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(deps));
            foreach (var library in json.RootElement.GetProperty("libraries").EnumerateObject())
            {
                if (library.Value.GetProperty("type").GetString() != "package") continue;
                string[] nameVersion = library.Name.Split('/');
                if (!versions.TryGetValue(nameVersion[0], out var byPart)) versions[nameVersion[0]] = byPart = [];
                byPart[Path.GetFileName(deps)] = nameVersion[1];
            }
        }

        Assert.True(versions.Count > 10, $"read {versions.Count} packages from {folder}");
        // A patch-level difference of a package whose assembly version does not change is harmless (Newtonsoft.Json 13.0.x).
        static string Minor(string version) => string.Join('.', version.Split('.').Take(2));
        var disagreements = versions
            .Where(p => p.Value.Values.Select(Minor).Distinct().Count() > 1)
            .Select(p => $"{p.Key}: {string.Join(", ", p.Value.Select(v => $"{v.Key} wants {v.Value}"))}")
            .ToArray();
        Assert.True(disagreements.Length == 0, "parts disagree on packages: " + string.Join("; ", disagreements));
    }
}
