// Build task (compiled by MSBuild's RoslynCodeTaskFactory from build/TorchSharpNatives.targets).
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
// ELF references: System V gABI (section headers, .dynsym, RELA) and the LSB "Symbol Versioning"
// chapter (Elf64_Verdef/Verdaux, Elf64_Verneed/Vernaux, VER_FLG_WEAK = 0x2).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenMissingLibStdCxxVersions : Task
{
    private const uint ShtRela = 4;
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library as shipped (libLibTorchSharp.so from the TorchSharp package).</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>Where the copy goes, patched or not.</summary>
    [Required]
    public string Destination { get; set; } = "";

    /// <summary>Optional: the libstdc++ to check against; default: the one this build process runs with.</summary>
    public string SystemLibStdCxx { get; set; } = "";

    /// <summary>The libstdc++ versions that were missing and are now weak (empty when none).</summary>
    [Output]
    public string Weakened { get; set; } = "";

    public override bool Execute()
    {
        byte[] lib = File.ReadAllBytes(Source);
        Weaken(lib);
        Write(Destination, lib);
        return !Log.HasLoggedErrors;
    }

    private void Weaken(byte[] lib)
    {
        string system = SystemLibStdCxx.Length > 0 ? SystemLibStdCxx : FindSystemLibStdCxx();
        if (system.Length == 0 || !File.Exists(system))
        {
            Log.LogWarning("TorchSharp natives: could not find the system libstdc++.so.6; libLibTorchSharp.so is used as shipped.");
            return;
        }

        byte[] std = File.ReadAllBytes(system);
        if (!IsElf64LittleEndian(lib) || !IsElf64LittleEndian(std))
        {
            Log.LogMessage(MessageImportance.Normal, "TorchSharp natives: not 64-bit little-endian ELF; used as shipped.");
            return;
        }

        var defined = new HashSet<string>(DefinedVersions(std), StringComparer.Ordinal);
        List<Requirement> missing = Requirements(lib)
            .Where(r => r.File.StartsWith("libstdc++.so", StringComparison.Ordinal) && !defined.Contains(r.Version))
            .ToList();
        if (missing.Count == 0)
        {
            Log.LogMessage(MessageImportance.Normal, $"TorchSharp natives: {system} provides every libstdc++ version libLibTorchSharp.so needs; used as shipped.");
            return;
        }

        string versions = string.Join(", ", missing.Select(r => r.Version));
        List<string> used = SymbolsRelocatedWithVersion(lib, new HashSet<ushort>(missing.Select(r => r.Index)));
        if (used.Count > 0)
        {
            Log.LogWarning(
                $"TorchSharp natives: {system} lacks {versions}, and libLibTorchSharp.so really uses it ({string.Join(", ", used.Take(5))}); " +
                "it cannot be patched and will not load. Install a newer libstdc++ (GCC 13 or later) or use the managed engine.");
            return;
        }

        foreach (Requirement r in missing)
        {
            WriteU16(lib, r.FlagsOffset, (ushort)(ReadU16(lib, r.FlagsOffset) | VerFlgWeak));
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
        }
        catch (UnauthorizedAccessException)
        {
        }

        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        return candidates.FirstOrDefault(File.Exists) ?? "";
    }

    private static void Write(string path, byte[] bytes)
    {
        // Through a temporary file, so a reader never sees half a library.
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(tmp, bytes);
        File.Delete(path);
        File.Move(tmp, path);
    }

    private readonly struct Section
    {
        public Section(uint type, long offset, long size, uint link, uint info, long entSize)
        {
            Type = type; Offset = offset; Size = size; Link = link; Info = info; EntSize = entSize;
        }

        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
        public uint Info { get; }
        public long EntSize { get; }
    }

    private readonly struct Requirement
    {
        public Requirement(string file, string version, ushort index, int flagsOffset)
        {
            File = file; Version = version; Index = index; FlagsOffset = flagsOffset;
        }

        public string File { get; }
        public string Version { get; }
        public ushort Index { get; }
        public int FlagsOffset { get; }
    }

    private static bool IsElf64LittleEndian(byte[] b) =>
        b.Length > 64 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F' && b[4] == 2 && b[5] == 1;

    private static List<Section> Sections(byte[] b)
    {
        long shoff = (long)ReadU64(b, 0x28);
        int shentsize = ReadU16(b, 0x3A);
        int shnum = ReadU16(b, 0x3C);
        var list = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            int h = checked((int)(shoff + (long)i * shentsize));
            list.Add(new Section(ReadU32(b, h + 4), (long)ReadU64(b, h + 24), (long)ReadU64(b, h + 32),
                ReadU32(b, h + 40), ReadU32(b, h + 44), (long)ReadU64(b, h + 56)));
        }
        return list;
    }

    private static IEnumerable<string> DefinedVersions(byte[] b)
    {
        List<Section> s = Sections(b);
        foreach (Section def in s.Where(x => x.Type == ShtGnuVerdef))
        {
            long strings = s[(int)def.Link].Offset;
            int at = (int)def.Offset;
            for (uint i = 0; i < def.Info; i++)
            {
                int aux = at + (int)ReadU32(b, at + 12);
                yield return CString(b, strings + ReadU32(b, aux));
                uint next = ReadU32(b, at + 16);
                if (next == 0)
                {
                    break;
                }
                at += (int)next;
            }
        }
    }

    private static IEnumerable<Requirement> Requirements(byte[] b)
    {
        List<Section> s = Sections(b);
        foreach (Section need in s.Where(x => x.Type == ShtGnuVerneed))
        {
            long strings = s[(int)need.Link].Offset;
            int at = (int)need.Offset;
            for (uint i = 0; i < need.Info; i++)
            {
                string file = CString(b, strings + ReadU32(b, at + 4));
                int aux = at + (int)ReadU32(b, at + 8);
                for (int j = 0; j < ReadU16(b, at + 2); j++)
                {
                    yield return new Requirement(file, CString(b, strings + ReadU32(b, aux + 8)), ReadU16(b, aux + 6), aux + 4);
                    aux += (int)ReadU32(b, aux + 12);
                }
                uint next = ReadU32(b, at + 12);
                if (next == 0)
                {
                    break;
                }
                at += (int)next;
            }
        }
    }

    private static List<string> SymbolsRelocatedWithVersion(byte[] b, HashSet<ushort> versionIndexes)
    {
        List<Section> s = Sections(b);
        Section dynsym = s.First(x => x.Type == ShtDynsym);
        Section versym = s.First(x => x.Type == ShtGnuVersym);
        long strings = s[(int)dynsym.Link].Offset;
        var used = new List<string>();
        foreach (Section rela in s.Where(x => x.Type == ShtRela && x.Link < s.Count && s[(int)x.Link].Type == ShtDynsym))
        {
            for (long at = rela.Offset; at < rela.Offset + rela.Size; at += rela.EntSize)
            {
                long sym = (long)(ReadU64(b, (int)at + 8) >> 32);
                if (sym == 0)
                {
                    continue;
                }
                ushort version = (ushort)(ReadU16(b, (int)(versym.Offset + sym * 2)) & 0x7fff);
                if (versionIndexes.Contains(version))
                {
                    used.Add(CString(b, strings + ReadU32(b, (int)(dynsym.Offset + sym * dynsym.EntSize))));
                }
            }
        }
        return used.Distinct().ToList();
    }

    private static string CString(byte[] b, long at)
    {
        int end = (int)at;
        while (b[end] != 0)
        {
            end++;
        }
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }

    private static ushort ReadU16(byte[] b, int at) => BitConverter.ToUInt16(b, at);

    private static uint ReadU32(byte[] b, int at) => BitConverter.ToUInt32(b, at);

    private static ulong ReadU64(byte[] b, int at) => BitConverter.ToUInt64(b, at);

    private static void WriteU16(byte[] b, int at, ushort value)
    {
        b[at] = (byte)value;
        b[at + 1] = (byte)(value >> 8);
    }
}
