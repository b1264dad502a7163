using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;

namespace Build.Tests;

/// <summary>The ELF task of build/TorchSharpNatives.targets, on small ELF files written by <see cref="ElfFiles"/>.</summary>
public sealed class WeakenMissingLibStdCxxVersionsTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"elf-task-{Guid.NewGuid():N}")).FullName;

    public static TheoryData<bool> ByteOrders => new([false, true]);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [MemberData(nameof(ByteOrders))]
    public void A_missing_version_no_relocation_uses_is_marked_weak_and_nothing_else_changes(bool bigEndian)
    {
        var (lib, flags) = ElfFiles.Library(bigEndian);
        var run = Run(lib, ElfFiles.LibStdCxx(bigEndian, ElfFiles.Present, "GLIBCXX_3.4.30"));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Warnings);
        Assert.Equal(ElfFiles.Missing, run.Task.Weakened);
        var expected = (byte[])lib.Clone();
        expected[flags + (bigEndian ? 1 : 0)] = 0x2; // VER_FLG_WEAK in the file's byte order
        Assert.Equal(expected, run.Output);
    }

    [Theory]
    [MemberData(nameof(ByteOrders))]
    public void A_version_need_already_weak_is_copied_as_it_is(bool bigEndian)
    {
        var (lib, _) = ElfFiles.Library(bigEndian, missingIsWeak: true);
        var run = Run(lib, ElfFiles.LibStdCxx(bigEndian, ElfFiles.Present));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Warnings);
        Assert.Equal("", run.Task.Weakened);
        Assert.Equal(lib, run.Output);
        Assert.Contains(run.Engine.Messages, m => m.Contains($"{ElfFiles.Missing} already weak", StringComparison.Ordinal));
    }

    [Fact]
    public void A_version_the_system_defines_is_left_alone()
    {
        var (lib, _) = ElfFiles.Library(bigEndian: false);
        var run = Run(lib, ElfFiles.LibStdCxx(false, ElfFiles.Present, ElfFiles.Missing));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Warnings);
        Assert.Equal("", run.Task.Weakened);
        Assert.Equal(lib, run.Output);
    }

    [Theory]
    [MemberData(nameof(ByteOrders))]
    public void A_missing_version_a_relocation_uses_is_not_patched_and_the_warning_names_the_symbol(bool bigEndian)
    {
        var (lib, _) = ElfFiles.Library(bigEndian, relocateMissingSymbol: true);
        var run = Run(lib, ElfFiles.LibStdCxx(bigEndian, ElfFiles.Present));

        Assert.True(run.Succeeded);
        string warning = Assert.Single(run.Engine.Warnings);
        Assert.Contains(ElfFiles.MissingSymbol, warning);
        Assert.Contains(ElfFiles.Missing, warning);
        Assert.DoesNotContain(ElfFiles.PresentSymbol, warning);
        Assert.Equal("", run.Task.Weakened);
        Assert.Equal(lib, run.Output);
    }

    [Fact]
    public void A_file_that_is_not_elf_is_copied_as_it_is_with_a_warning_naming_it()
    {
        byte[] text = "#!/bin/sh\necho not a library\n"u8.ToArray();
        var run = Run(text, ElfFiles.LibStdCxx(false, ElfFiles.Present));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Errors);
        Assert.Contains($"{run.Task.Source} is not an ELF file", Assert.Single(run.Engine.Warnings));
        Assert.Equal(text, run.Output);
    }

    [Fact]
    public void A_system_libstdcxx_that_is_not_elf_gives_a_warning_naming_it()
    {
        var (lib, _) = ElfFiles.Library(bigEndian: false);
        var run = Run(lib, "not ELF"u8.ToArray());

        Assert.True(run.Succeeded);
        Assert.Contains($"{run.Task.SystemLibStdCxx} is not an ELF file", Assert.Single(run.Engine.Warnings));
        Assert.Equal(lib, run.Output);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(200)]
    [InlineData(-1)]
    public void A_truncated_file_is_copied_as_it_is_with_a_warning_naming_it(int length)
    {
        var (whole, _) = ElfFiles.Library(bigEndian: false);
        byte[] cut = whole[..(length > 0 ? length : whole.Length + length)];
        var run = Run(cut, ElfFiles.LibStdCxx(false, ElfFiles.Present));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Errors);
        string warning = Assert.Single(run.Engine.Warnings);
        Assert.Contains(run.Task.Source, warning);
        Assert.Contains(length == 3 ? "is not an ELF file" : "is truncated", warning);
        Assert.Equal(cut, run.Output);
    }

    [Fact]
    public void An_offset_past_the_end_of_a_section_is_a_warning_not_a_crash()
    {
        var (lib, flags) = ElfFiles.Library(bigEndian: false);
        lib[flags + 4] = 0xff; // the need's version name: an offset far past the string table
        lib[flags + 5] = 0xff;
        var run = Run(lib, ElfFiles.LibStdCxx(false, ElfFiles.Present));

        Assert.True(run.Succeeded);
        Assert.Contains("outside section 1", Assert.Single(run.Engine.Warnings));
        Assert.Equal(lib, run.Output);
    }

    [Fact]
    public void A_32_bit_elf_file_is_named_in_a_warning()
    {
        var (lib, _) = ElfFiles.Library(bigEndian: false);
        lib[4] = 1; // ELFCLASS32
        var run = Run(lib, ElfFiles.LibStdCxx(false, ElfFiles.Present));

        Assert.True(run.Succeeded);
        Assert.Contains($"{run.Task.Source} is not a 64-bit ELF file", Assert.Single(run.Engine.Warnings));
    }

    [Fact]
    public void A_source_that_cannot_be_read_is_an_error_naming_it()
    {
        var engine = new Engine();
        var task = new WeakenMissingLibStdCxxVersions
        {
            BuildEngine = engine, Source = Path.Combine(folder, "absent.so"), Destination = Path.Combine(folder, "out.so"),
        };

        Assert.False(task.Execute());
        Assert.Contains($"cannot read {task.Source}", Assert.Single(engine.Errors));
        Assert.False(File.Exists(task.Destination));
    }

    [Fact]
    public void This_machines_libstdcxx_reads_without_a_warning()
    {
        // A real file from the system: the reader copes with a full-size shared object (libstdc++ needs only libc).
        string system = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .First(File.Exists);
        var run = Run(File.ReadAllBytes(system), File.ReadAllBytes(system));

        Assert.True(run.Succeeded);
        Assert.Empty(run.Engine.Warnings);
        Assert.Equal("", run.Task.Weakened);
    }

    private (bool Succeeded, WeakenMissingLibStdCxxVersions Task, Engine Engine, byte[] Output) Run(byte[] library, byte[] libStdCxx)
    {
        string source = Path.Combine(folder, "libLibTorchSharp.so"), system = Path.Combine(folder, "libstdc++.so.6");
        File.WriteAllBytes(source, library);
        File.WriteAllBytes(system, libStdCxx);
        var engine = new Engine();
        var task = new WeakenMissingLibStdCxxVersions
        {
            BuildEngine = engine, Source = source, SystemLibStdCxx = system, Destination = Path.Combine(folder, "out", "libLibTorchSharp.so"),
        };
        bool ok = task.Execute();
        return (ok, task, engine, File.ReadAllBytes(task.Destination));
    }

    /// <summary>Collects what the task logs.</summary>
    private sealed class Engine : IBuildEngine
    {
        public List<string> Errors { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<string> Messages { get; } = [];

        public bool ContinueOnError => false;

        public int LineNumberOfTaskNode => 0;

        public int ColumnNumberOfTaskNode => 0;

        public string ProjectFileOfTaskNode => "test.proj";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
            throw new NotSupportedException();

        public void LogCustomEvent(CustomBuildEventArgs e) => Messages.Add(e.Message ?? "");

        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message ?? "");

        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e.Message ?? "");

        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e.Message ?? "");
    }
}
