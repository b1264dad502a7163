using TorchSharp;

namespace AttentionVisually.Torch;

/// <summary>
/// Every device-specific line of the TorchSharp engine: which TorchSharp build was referenced, which
/// devices exist, and which one a caller gets. Everything else in the engine is device-neutral.
/// </summary>
/// <remarks>
/// The package is chosen at build time by the MSBuild property <c>TorchSharpFlavor</c>
/// (Directory.Build.props): <c>cpu</c> (default, TorchSharp-cpu), <c>cuda-linux</c> (TorchSharp-cuda-linux) or
/// <c>cuda-windows</c> (TorchSharp-cuda-windows); for example <c>dotnet build -p:TorchSharpFlavor=cuda-linux</c>.
/// With a CUDA build referenced and an NVIDIA GPU present, <see cref="Default"/> is CUDA; otherwise CPU.
/// </remarks>
public static class TorchDevices
{
    /// <summary>The TorchSharp build this library was compiled against: "cpu" or "cuda".</summary>
#if TORCHSHARP_CUDA
    public const string Flavor = "cuda";
#else
    public const string Flavor = "cpu";
#endif

    // Not a constant, so the compiler keeps both branches below compiled in every flavour.
    private static readonly bool IsCudaBuild = Flavor == "cuda";

    /// <summary>The CPU device (always available once TorchSharp loads).</summary>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static torch.Device Cpu
    {
        get
        {
            TorchRuntime.EnsureAvailable();
            return torch.CPU;
        }
    }

    /// <summary>True when a CUDA build of TorchSharp is referenced and a CUDA GPU is visible.</summary>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static bool IsCudaAvailable
    {
        get
        {
            TorchRuntime.EnsureAvailable();
            return IsCudaBuild && torch.cuda.is_available();
        }
    }

    /// <summary>CUDA when <see cref="IsCudaAvailable"/>, else CPU.</summary>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static torch.Device Default => IsCudaAvailable ? torch.CUDA : Cpu;

    /// <summary>Picks a device by name: null or "auto" (see <see cref="Default"/>), "cpu", "cuda" or "cuda:N".</summary>
    /// <param name="name">The device's name, as PyTorch spells it.</param>
    /// <returns>The device.</returns>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    /// <exception cref="ArgumentException">The name is unknown, or CUDA is asked for where it is not available.</exception>
    public static torch.Device Select(string? name = null)
    {
        if (name is null || name.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return Default;
        }
        if (name.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            return Cpu;
        }
        if (name.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
        {
            RequireCuda(name, nameof(name));
            return torch.device(name.ToLowerInvariant());
        }
        throw new ArgumentException($"device '{name}' is unknown; use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\".", nameof(name));
    }

    /// <summary>Checks that <paramref name="device"/> can run here (CUDA needs a CUDA build and a GPU).</summary>
    /// <param name="device">The device a caller asked for.</param>
    /// <param name="paramName">The caller's argument name, for the message.</param>
    /// <returns>The same device.</returns>
    /// <exception cref="ArgumentException">The device cannot be used on this machine.</exception>
    internal static torch.Device Check(torch.Device device, string paramName)
    {
        ArgumentNullException.ThrowIfNull(device, paramName);
        TorchRuntime.EnsureAvailable();
        if (device.type == DeviceType.CPU)
        {
            return device;
        }
        if (device.type == DeviceType.CUDA)
        {
            RequireCuda(device.ToString(), paramName);
            return device;
        }
        throw new ArgumentException($"device {device} is not supported by this engine; use cpu or cuda.", paramName);
    }

    /// <summary>Checks that a tensor lives on the device the engine computes on.</summary>
    /// <param name="t">The tensor.</param>
    /// <param name="device">The engine's device.</param>
    /// <param name="name">The argument name, for the message.</param>
    /// <exception cref="ArgumentException">The tensor is on another device.</exception>
    internal static void CheckOn(torch.Tensor t, torch.Device device, string name)
    {
        if (t.device_type != device.type || (device.type == DeviceType.CUDA && t.device_index != device.index && device.index >= 0))
        {
            throw new ArgumentException($"{name} is on {t.device} but the engine computes on {device}; move it with .to(device) first.", name);
        }
    }

    private static void RequireCuda(string requested, string paramName)
    {
        if (!IsCudaBuild)
        {
            throw new ArgumentException(
                $"device '{requested}' needs a CUDA build of TorchSharp, but this library references TorchSharp-cpu; " +
                "build with -p:TorchSharpFlavor=cuda-linux (or cuda-windows) on a machine with an NVIDIA GPU.", paramName);
        }
        if (!torch.cuda.is_available())
        {
            throw new ArgumentException($"device '{requested}' was asked for, but no CUDA GPU is visible to TorchSharp.", paramName);
        }
    }
}
