using System.IO;
using System.Linq;
using System.Text;

namespace Build.Tests;

/// <summary>
/// Small 64-bit ELF files written byte by byte (System V gABI layout, LSB symbol versioning), in either byte order:
/// a "library" that needs libstdc++ versions, with dynamic symbols and relocations, and a "libstdc++" that defines
/// versions. Only the sections the task reads are written; the section header table comes last, so any cut of
/// the file loses part of it.
/// </summary>
internal static class ElfFiles
{
    /// <summary>The version the tests make missing (GCC 13's, which Debian 12 lacks).</summary>
    public const string Missing = "GLIBCXX_3.4.32";

    /// <summary>A version every libstdc++ has.</summary>
    public const string Present = "GLIBCXX_3.4";

    /// <summary>The symbol recorded with <see cref="Missing"/>.</summary>
    public const string MissingSymbol = "_ZSt21ios_base_library_initv";

    /// <summary>A symbol recorded with <see cref="Present"/>.</summary>
    public const string PresentSymbol = "_ZNSt8ios_base4InitC1Ev";

    private const uint ShtStrtab = 3, ShtRela = 4, ShtDynsym = 11, ShtVerdef = 0x6ffffffd, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;
    private const ushort MissingIndex = 3, PresentIndex = 2;

    /// <summary>A library needing <see cref="Present"/> and <see cref="Missing"/> from libstdc++.so.6 (and a libc version).</summary>
    /// <param name="bigEndian">Byte order of the file.</param>
    /// <param name="missingIsWeak">Whether the need for <see cref="Missing"/> is already marked weak.</param>
    /// <param name="relocateMissingSymbol">Whether a relocation uses <see cref="MissingSymbol"/>.</param>
    /// <returns>The file's bytes and the offset of the flags of the need for <see cref="Missing"/>.</returns>
    public static (byte[] Bytes, int MissingFlagsOffset) Library(bool bigEndian, bool missingIsWeak = false, bool relocateMissingSymbol = false)
    {
        var w = new Writer(bigEndian);
        var strings = new Strings();
        uint libstdcxx = strings.Add("libstdc++.so.6"), libc = strings.Add("libc.so.6");
        uint present = strings.Add(Present), missing = strings.Add(Missing), glibc = strings.Add("GLIBC_2.2.5");
        uint presentSym = strings.Add(PresentSymbol), missingSym = strings.Add(MissingSymbol), memcpy = strings.Add("memcpy");

        w.Pad(64); // ELF header, written last
        long dynstr = w.Position;
        w.Bytes(strings.Table);
        long dynstrSize = w.Position - dynstr;

        // .dynsym: null, PresentSymbol, MissingSymbol, memcpy (all undefined).
        w.Align(8);
        long dynsym = w.Position;
        foreach (uint name in new uint[] { 0, presentSym, missingSym, memcpy })
        {
            w.U32(name); w.U8(name == 0 ? (byte)0 : (byte)0x12); w.U8(0); w.U16(0); w.U64(0); w.U64(0);
        }
        long dynsymSize = w.Position - dynsym;

        // .gnu.version: one index per symbol.
        long versym = w.Position;
        foreach (ushort v in new ushort[] { 0, PresentIndex, MissingIndex, 4 }) w.U16(v);
        long versymSize = w.Position - versym;

        // .gnu.version_r: libstdc++.so.6 (two versions), then libc.so.6 (one).
        w.Align(8);
        long verneed = w.Position;
        w.U16(1); w.U16(2); w.U32(libstdcxx); w.U32(16); w.U32(16 + 32);
        w.U32(0x0297f861); w.U16(0); w.U16(PresentIndex); w.U32(present); w.U32(16);
        int missingFlags = (int)w.Position + 4;
        w.U32(0x08922974); w.U16(missingIsWeak ? (ushort)2 : (ushort)0); w.U16(MissingIndex); w.U32(missing); w.U32(0);
        w.U16(1); w.U16(1); w.U32(libc); w.U32(16); w.U32(0);
        w.U32(0x09691a75); w.U16(0); w.U16(4); w.U32(glibc); w.U32(0);
        long verneedSize = w.Position - verneed;

        // .rela.dyn: GLOB_DAT of PresentSymbol and memcpy, and of MissingSymbol when asked; one RELATIVE (symbol 0).
        long rela = w.Position;
        var symbols = relocateMissingSymbol ? new ulong[] { 0, 1, 2, 3 } : [0, 1, 3];
        foreach (ulong sym in symbols)
        {
            w.U64(0x1000 + (sym * 8)); w.U64((sym << 32) | (sym == 0 ? 8UL : 6UL)); w.U64(0);
        }
        long relaSize = w.Position - rela;

        w.Align(8);
        long sections = w.Position;
        w.Pad(64); // null section
        Section(w, ShtStrtab, dynstr, dynstrSize, 0, 0, 0);             // 1 .dynstr
        Section(w, ShtDynsym, dynsym, dynsymSize, 1, 1, 24);            // 2 .dynsym
        Section(w, ShtVersym, versym, versymSize, 2, 0, 2);             // 3 .gnu.version
        Section(w, ShtVerneed, verneed, verneedSize, 1, 2, 0);          // 4 .gnu.version_r (2 files)
        Section(w, ShtRela, rela, relaSize, 2, 0, 24);                  // 5 .rela.dyn
        Header(w, sections, 6);
        return (w.ToArray(), missingFlags);
    }

    /// <summary>A libstdc++ that defines its base name and the given versions.</summary>
    /// <param name="bigEndian">Byte order of the file.</param>
    /// <param name="versions">Version names, in order.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] LibStdCxx(bool bigEndian, params string[] versions)
    {
        var w = new Writer(bigEndian);
        var strings = new Strings();
        var names = new[] { "libstdc++.so.6" }.Concat(versions).Select(strings.Add).ToArray();
        w.Pad(64);
        long dynstr = w.Position;
        w.Bytes(strings.Table);
        long dynstrSize = w.Position - dynstr;

        w.Align(8);
        long verdef = w.Position;
        for (int i = 0; i < names.Length; i++)
        {
            bool last = i == names.Length - 1;
            // Verdef (20 bytes) followed by its one Verdaux (8 bytes).
            w.U16(1); w.U16(i == 0 ? (ushort)1 : (ushort)0); w.U16((ushort)(i + 1)); w.U16(1); w.U32(0); w.U32(20); w.U32(last ? 0u : 28u);
            w.U32(names[i]); w.U32(0);
        }
        long verdefSize = w.Position - verdef;

        w.Align(8);
        long sections = w.Position;
        w.Pad(64);
        Section(w, ShtStrtab, dynstr, dynstrSize, 0, 0, 0);
        Section(w, ShtVerdef, verdef, verdefSize, 1, (uint)names.Length, 0);
        Header(w, sections, 3);
        return w.ToArray();
    }

    private static void Section(Writer w, uint type, long offset, long size, uint link, uint info, ulong entSize)
    {
        w.U32(0); w.U32(type); w.U64(2); w.U64(0); w.U64((ulong)offset); w.U64((ulong)size);
        w.U32(link); w.U32(info); w.U64(8); w.U64(entSize);
    }

    private static void Header(Writer w, long sectionHeaders, ushort count)
    {
        w.At(0);
        w.Bytes([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, w.BigEndian ? (byte)2 : (byte)1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        w.U16(3); w.U16(62); w.U32(1); w.U64(0); w.U64(0); w.U64((ulong)sectionHeaders); w.U32(0);
        w.U16(64); w.U16(56); w.U16(0); w.U16(64); w.U16(count); w.U16(0);
    }

    private sealed class Strings
    {
        private readonly MemoryStream table = new();

        public Strings() => table.WriteByte(0); // offset 0 is the empty name

        public byte[] Table => table.ToArray();

        public uint Add(string s)
        {
            var at = (uint)table.Length;
            table.Write(Encoding.ASCII.GetBytes(s + "\0"));
            return at;
        }
    }

    private sealed class Writer(bool bigEndian)
    {
        private readonly MemoryStream stream = new();

        public bool BigEndian => bigEndian;

        public long Position => stream.Position;

        public void At(long position) => stream.Position = position;

        public void Pad(int count) => stream.Write(new byte[count]);

        public void Align(int to)
        {
            while (stream.Position % to != 0) stream.WriteByte(0);
        }

        public void Bytes(byte[] b) => stream.Write(b);

        public void U8(byte v) => stream.WriteByte(v);

        public void U16(ushort v) => Number(v, 2);

        public void U32(uint v) => Number(v, 4);

        public void U64(ulong v) => Number(v, 8);

        public byte[] ToArray() => stream.ToArray();

        private void Number(ulong v, int size)
        {
            for (int i = 0; i < size; i++)
            {
                int shift = 8 * (bigEndian ? size - 1 - i : i);
                stream.WriteByte((byte)(v >> shift));
            }
        }
    }
}
