namespace AttentionVisually.Tests;

public class TorchRuntimeTests
{
    // CI runs on Linux (Debian 12): the torch tests are meant to run there, never to be skipped.
    [Fact]
    public void TorchSharp_natives_load_on_this_machine()
    {
        TorchRuntime.EnsureAvailable();
        Assert.True(TorchRuntime.IsAvailable);
    }

    [Fact]
    public void On_linux_the_build_puts_this_platforms_natives_next_to_TorchSharp_and_no_others()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the packages' own layout is used elsewhere
        }
        string dir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!;
        Assert.True(File.Exists(Path.Combine(dir, "libLibTorchSharp.so")), $"libLibTorchSharp.so is missing in {dir}");
        Assert.True(File.Exists(Path.Combine(dir, "libtorch_cpu.so")), $"libtorch_cpu.so is missing in {dir}");
        Assert.False(File.Exists(Path.Combine(dir, "runtimes", "win-x64", "native", "torch_cpu.dll")), "Windows natives were copied");
        Assert.False(File.Exists(Path.Combine(dir, "runtimes", "osx-arm64", "native", "libtorch_cpu.dylib")), "macOS natives were copied");
    }

    [Fact]
    public void The_unavailable_error_gives_the_reason_the_folder_and_what_to_do()
    {
        var cause = new TypeInitializationException("TorchSharp.torch", new NotSupportedException("libLibTorchSharp.so: version `GLIBCXX_3.4.32' not found\nmore trace"));
        TorchUnavailableException ex = TorchRuntime.Unavailable(cause, "/nowhere/bin");

        Assert.Contains("GLIBCXX_3.4.32", ex.Message);
        Assert.DoesNotContain("more trace", ex.Message);
        Assert.Contains("/nowhere/bin", ex.Message);
        Assert.Contains("not there", ex.Message);
        Assert.Contains("dotnet build", ex.Message);
        Assert.Contains("managed engine", ex.Message);
        Assert.Same(cause, ex.InnerException);
    }
}
