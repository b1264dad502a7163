// Build task (compiled by MSBuild's RoslynCodeTaskFactory from build/TorchSharpNatives.targets, against
// netstandard 2.0; tests/Build.Tests compiles this same file). One file, because the task factory takes one.
//
// Why: TorchSharp's libLibTorchSharp.so is linked against a newer libstdc++ than some Linux
// distributions ship (Debian 12 and Ubuntu 22.04 stop at GLIBCXX_3.4.30). The library asks for
// GLIBCXX_3.4.32 only because GCC 13's <iostream> names std::ios_base_library_init to record that
// dependency; no relocation uses that symbol. The dynamic loader refuses a library whose version
// requirement is missing, unless the requirement is marked weak (VER_FLG_WEAK in .gnu.version_r).
// This task writes a copy of the library with exactly the missing libstdc++ requirements marked weak,
// and refuses (with a warning) when a missing version is used by a relocation, because then the
// library would really need code the system does not have.
//
// Any file it cannot read as expected (not ELF, 32-bit, truncated, offsets out of range) gives a
// warning that names the file, and the library is copied as shipped: the build goes on, and TorchSharp
// reports at run time why it cannot load. Only a source that cannot be read or a destination that cannot
// be written is an error. Every read is bounds-checked and uses the file's own byte order.
//
// ELF references: System V gABI (ELF header, section headers, .dynsym, REL/RELA) and the LSB "Symbol
// Versioning" chapter (Elf64_Verdef/Verdaux, Elf64_Verneed/Vernaux, VER_FLG_WEAK = 0x2).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;

/// <summary>Copies libLibTorchSharp.so, marking weak the libstdc++ versions it needs that the system lacks.</summary>
public sealed class WeakenMissingLibStdCxxVersions : Microsoft.Build.Utilities.Task
{
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library as shipped (libLibTorchSharp.so from the TorchSharp package).</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>Where the copy goes, patched or not.</summary>
    [Required]
    public string Destination { get; set; } = "";

    /// <summary>Optional: the libstdc++ to check against; default: the one this build process runs with.</summary>
    public string SystemLibStdCxx { get; set; } = "";

    /// <summary>The libstdc++ versions that were missing and are now weak, separated by ';' (empty when none).</summary>
    [Output]
    public string Weakened { get; set; } = "";

    /// <summary>Writes <see cref="Destination"/>: the patched library, or the shipped one with a warning saying why not.</summary>
    /// <returns>False only when the source cannot be read or the destination cannot be written.</returns>
    public override bool Execute()
    {
        byte[] lib;
        try
        {
            lib = File.ReadAllBytes(Source);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
        {
            Log.LogError($"TorchSharp natives: cannot read {Source}: {e.Message}");
            return false;
        }

        try
        {
            Weaken(lib);
        }
        catch (ElfFormatException e)
        {
            // lib is unchanged: version flags are written only after every read succeeded.
            Log.LogWarning($"TorchSharp natives: {e.Message}; libLibTorchSharp.so is used as shipped.");
            Weakened = "";
        }

        try
        {
            Write(Destination, lib);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
        {
            Log.LogError($"TorchSharp natives: cannot write {Destination}: {e.Message}");
            return false;
        }
        return !Log.HasLoggedErrors;
    }

    private void Weaken(byte[] lib)
    {
        string system = SystemLibStdCxx.Length > 0 ? SystemLibStdCxx : FindSystemLibStdCxx();
        if (system.Length == 0 || !File.Exists(system))
        {
            Log.LogWarning($"TorchSharp natives: could not find the system libstdc++.so.6{(system.Length > 0 ? " (" + system + ")" : "")}; libLibTorchSharp.so is used as shipped.");
            return;
        }

        byte[] std;
        try
        {
            std = File.ReadAllBytes(system);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogWarning($"TorchSharp natives: cannot read {system}: {e.Message}; libLibTorchSharp.so is used as shipped.");
            return;
        }

        var libElf = new Elf(lib, Source);
        var defined = new HashSet<string>(new Elf(std, system).DefinedVersions(), StringComparer.Ordinal);
        List<Requirement> needs = libElf.Requirements()
            .Where(r => r.File.StartsWith("libstdc++.so", StringComparison.Ordinal) && !defined.Contains(r.Version))
            .ToList();
        List<Requirement> missing = needs.Where(r => (r.Flags & VerFlgWeak) == 0).ToList();
        if (missing.Count == 0)
        {
            string weak = needs.Count == 0 ? "" : $" ({string.Join(", ", needs.Select(r => r.Version))} already weak)";
            Log.LogMessage(MessageImportance.Normal, $"TorchSharp natives: {system} provides every libstdc++ version {Source} needs{weak}; used as shipped.");
            return;
        }

        string versions = string.Join(", ", missing.Select(r => r.Version));
        List<string> used = libElf.SymbolsRelocatedWithVersion(new HashSet<ushort>(missing.Select(r => r.Index)));
        if (used.Count > 0)
        {
            Log.LogWarning(
                $"TorchSharp natives: {system} lacks {versions}, and {Source} really uses it ({string.Join(", ", used.Take(5))}); " +
                "it cannot be patched and will not load. Install a newer libstdc++ (GCC 13 or later) or use the managed engine.");
            return;
        }

        foreach (Requirement r in missing)
        {
            libElf.WriteU16(r.FlagsOffset, (ushort)(r.Flags | VerFlgWeak));
        }
        Weakened = string.Join(";", missing.Select(r => r.Version));
        Log.LogMessage(MessageImportance.High,
            $"TorchSharp natives: {system} lacks {versions} (no relocation uses it); marked weak in {Destination}.");
    }

    private static string FindSystemLibStdCxx()
    {
        // The build runs on .NET, which itself loads libstdc++: the mapped file is exactly the one a
        // program started on this machine will get.
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.IndexOf("libstdc++.so", slash, StringComparison.Ordinal) >= 0)
                {
                    return line.Substring(slash).Trim();
                }
            }
        }
        catch (IOException)
        {
            // no /proc: fall back to the usual places
        }
        catch (UnauthorizedAccessException)
        {
            // likewise
        }

        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };
        return candidates.FirstOrDefault(File.Exists) ?? "";
    }

    private static void Write(string path, byte[] bytes)
    {
        // Through a temporary file, so a reader never sees half a library.
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(tmp, bytes);
        if (File.Exists(path))
        {
            File.Replace(tmp, path, null);
        }
        else
        {
            File.Move(tmp, path);
        }
    }

    /// <summary>A file that is not the 64-bit ELF shared object the task expects, or is cut short.</summary>
    private sealed class ElfFormatException : Exception
    {
        public ElfFormatException(string message)
            : base(message)
        {
        }
    }

    private readonly struct Section
    {
        public Section(int index, uint type, long offset, long size, uint link, uint info, long entSize)
        {
            Index = index; Type = type; Offset = offset; Size = size; Link = link; Info = info; EntSize = entSize;
        }

        public int Index { get; }

        public uint Type { get; }

        public long Offset { get; }

        public long Size { get; }

        public uint Link { get; }

        public uint Info { get; }

        public long EntSize { get; }

        public long End => Offset + Size;
    }

    private readonly struct Requirement
    {
        public Requirement(string file, string version, ushort index, ushort flags, long flagsOffset)
        {
            File = file; Version = version; Index = index; Flags = flags; FlagsOffset = flagsOffset;
        }

        public string File { get; }

        public string Version { get; }

        public ushort Index { get; }

        public ushort Flags { get; }

        public long FlagsOffset { get; }
    }

    /// <summary>A 64-bit ELF file in memory: reads in its own byte order, each checked against the bounds it must lie in.</summary>
    private sealed class Elf
    {
        private const uint ShtStrtab = 3;
        private const uint ShtRela = 4;
        private const uint ShtRel = 9;
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const int HeaderSize = 64;
        private const int SectionHeaderSize = 64;
        private const int SymbolSize = 24;

        private readonly byte[] bytes;
        private readonly string name;
        private readonly bool bigEndian;
        private readonly List<Section> sections;

        public Elf(byte[] bytes, string name)
        {
            this.bytes = bytes;
            this.name = name;
            if (bytes.Length < 4 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            {
                throw new ElfFormatException($"{name} is not an ELF file");
            }
            if (bytes.Length < HeaderSize)
            {
                throw new ElfFormatException($"{name} is truncated: {bytes.Length} bytes, shorter than an ELF header");
            }
            if (bytes[4] != 2)
            {
                throw new ElfFormatException($"{name} is not a 64-bit ELF file (class {bytes[4]})");
            }
            if (bytes[5] != 1 && bytes[5] != 2)
            {
                throw new ElfFormatException($"{name} has an unknown ELF byte order ({bytes[5]})");
            }
            bigEndian = bytes[5] == 2;
            sections = ReadSections();
        }

        public IEnumerable<string> DefinedVersions()
        {
            var versions = new List<string>();
            foreach (Section def in sections.Where(x => x.Type == ShtGnuVerdef))
            {
                Section strings = Linked(def, ShtStrtab);
                // Elf64_Verdef (20 bytes, vd_next at 16), its first Elf64_Verdaux at vd_aux (12) holds the name.
                foreach (long at in Chain(def, def.Offset, def.Info, 20, 16, "version definition"))
                {
                    long aux = at + U32(at + 12);
                    Need(aux, 8, def, "version definition name");
                    versions.Add(CString(strings, U32(aux)));
                }
            }
            return versions;
        }

        public List<Requirement> Requirements()
        {
            var needs = new List<Requirement>();
            foreach (Section need in sections.Where(x => x.Type == ShtGnuVerneed))
            {
                Section strings = Linked(need, ShtStrtab);
                // Elf64_Verneed (16 bytes: vn_cnt at 2, vn_file at 4, vn_aux at 8, vn_next at 12), then its
                // Elf64_Vernaux entries (16 bytes: vna_flags at 4, vna_other at 6, vna_name at 8, vna_next at 12).
                foreach (long at in Chain(need, need.Offset, need.Info, 16, 12, "version need"))
                {
                    string file = CString(strings, U32(at + 4));
                    foreach (long aux in Chain(need, at + U32(at + 8), U16(at + 2), 16, 12, "version need entry"))
                    {
                        needs.Add(new Requirement(file, CString(strings, U32(aux + 8)), U16(aux + 6), U16(aux + 4), aux + 4));
                    }
                }
            }
            return needs;
        }

        public List<string> SymbolsRelocatedWithVersion(HashSet<ushort> versionIndexes)
        {
            Section dynsym = Single(ShtDynsym, ".dynsym");
            Section versym = Single(ShtGnuVersym, ".gnu.version");
            Section strings = Linked(dynsym, ShtStrtab);
            long symbols = dynsym.Size / SymbolSize;
            var used = new List<string>();
            foreach (Section rel in sections.Where(x => (x.Type == ShtRela || x.Type == ShtRel) && x.Link == dynsym.Index))
            {
                long entry = rel.Type == ShtRela ? 24 : 16;
                if (rel.EntSize != entry)
                {
                    throw new ElfFormatException($"{name}: relocation section {rel.Index} has entries of {rel.EntSize} bytes, not {entry}");
                }
                for (long at = rel.Offset; at + entry <= rel.End; at += entry)
                {
                    long sym = (long)(U64(at + 8) >> 32);
                    if (sym == 0)
                    {
                        continue;
                    }
                    if (sym >= symbols)
                    {
                        throw new ElfFormatException($"{name}: a relocation names symbol {sym}, but .dynsym has {symbols}");
                    }
                    Need(versym.Offset + (sym * 2), 2, versym, "symbol version");
                    ushort version = (ushort)(U16(versym.Offset + (sym * 2)) & 0x7fff);
                    if (versionIndexes.Contains(version))
                    {
                        used.Add(CString(strings, U32(dynsym.Offset + (sym * SymbolSize))));
                    }
                }
            }
            return used.Distinct().ToList();
        }

        public void WriteU16(long at, ushort value)
        {
            Need(at, 2, null, "version flags");
            byte hi = (byte)(value >> 8), lo = (byte)value;
            bytes[at] = bigEndian ? hi : lo;
            bytes[at + 1] = bigEndian ? lo : hi;
        }

        private List<Section> ReadSections()
        {
            ulong shoff = U64(0x28);
            int shentsize = U16(0x3A);
            int shnum = U16(0x3C);
            if (shnum == 0)
            {
                throw new ElfFormatException($"{name} has no section headers");
            }
            if (shentsize < SectionHeaderSize)
            {
                throw new ElfFormatException($"{name}: section headers of {shentsize} bytes, fewer than {SectionHeaderSize}");
            }
            if (shoff > (ulong)bytes.Length || (ulong)bytes.Length - shoff < (ulong)shnum * (ulong)shentsize)
            {
                throw new ElfFormatException($"{name} is truncated: its {shnum} section headers at offset {shoff} end past its {bytes.Length} bytes");
            }

            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = (long)shoff + ((long)i * shentsize);
                ulong offset = U64(h + 24), size = U64(h + 32);
                uint type = U32(h + 4);
                // Only the sections the task reads must lie inside the file (others, such as .bss, may not).
                bool read = type == ShtStrtab || type == ShtRela || type == ShtRel || type == ShtDynsym
                    || type == ShtGnuVerdef || type == ShtGnuVerneed || type == ShtGnuVersym;
                if (read && (offset > (ulong)bytes.Length || (ulong)bytes.Length - offset < size))
                {
                    throw new ElfFormatException($"{name} is truncated: section {i} ({offset} + {size} bytes) ends past its {bytes.Length} bytes");
                }
                list.Add(new Section(i, type, (long)offset, read ? (long)size : 0, U32(h + 40), U32(h + 44), (long)Math.Min(U64(h + 56), int.MaxValue)));
            }
            return list;
        }

        /// <summary>Offsets of a chain of at most <paramref name="count"/> entries, each inside <paramref name="section"/>.</summary>
        private List<long> Chain(Section section, long first, uint count, int size, int nextAt, string what)
        {
            var offsets = new List<long>();
            long at = first;
            for (uint i = 0; i < count; i++)
            {
                Need(at, size, section, what);
                offsets.Add(at);
                uint next = U32(at + nextAt);
                if (next == 0)
                {
                    break;
                }
                at += next;
            }
            return offsets;
        }

        private Section Single(uint type, string what)
        {
            List<Section> found = sections.Where(x => x.Type == type).ToList();
            if (found.Count != 1)
            {
                throw new ElfFormatException($"{name} has {found.Count} {what} sections, not one");
            }
            return found[0];
        }

        private Section Linked(Section section, uint type)
        {
            if (section.Link >= sections.Count || sections[(int)section.Link].Type != type)
            {
                throw new ElfFormatException($"{name}: section {section.Index} links to section {section.Link}, which is not a string table");
            }
            return sections[(int)section.Link];
        }

        private void Need(long at, long length, Section? within, string what)
        {
            long start = within?.Offset ?? 0, end = within?.End ?? bytes.Length;
            if (at < start || at > end - length)
            {
                string where = within is null ? "the file" : "section " + within.Value.Index + " (" + start + ".." + end + ")";
                throw new ElfFormatException($"{name}: a {what} at offset {at} lies outside {where}");
            }
        }

        private string CString(Section table, uint offset)
        {
            long at = table.Offset + offset;
            Need(at, 1, table, "name");
            long end = at;
            while (end < table.End && bytes[end] != 0)
            {
                end++;
            }
            if (end == table.End)
            {
                throw new ElfFormatException($"{name}: a name at offset {at} runs past the end of string table {table.Index}");
            }
            return Encoding.ASCII.GetString(bytes, (int)at, (int)(end - at));
        }

        private ushort U16(long at) => (ushort)Unsigned(at, 2);

        private uint U32(long at) => (uint)Unsigned(at, 4);

        private ulong U64(long at) => Unsigned(at, 8);

        /// <summary>An unsigned field of <paramref name="size"/> bytes in the file's byte order (never the host's).</summary>
        private ulong Unsigned(long at, int size)
        {
            Need(at, size, null, $"{8 * size}-bit field");
            ulong value = 0;
            for (int i = 0; i < size; i++)
            {
                value = (value << 8) | bytes[at + (bigEndian ? i : size - 1 - i)];
            }
            return value;
        }
    }
}
