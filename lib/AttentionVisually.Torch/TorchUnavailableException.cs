namespace AttentionVisually.Torch;

/// <summary>
/// TorchSharp's native libraries (libtorch and LibTorchSharp) could not be loaded, so the TorchSharp
/// engine cannot run in this process. The message says why and what to do; the managed engine does not
/// depend on TorchSharp and keeps working.
/// </summary>
public sealed class TorchUnavailableException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TorchUnavailableException()
        : base("TorchSharp's native libraries could not be loaded.")
    {
    }

    /// <summary>Creates the exception with a message that says why and what to do.</summary>
    /// <param name="message">Why loading failed and what to do about it.</param>
    public TorchUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception around the loader's own error.</summary>
    /// <param name="message">Why loading failed and what to do about it.</param>
    /// <param name="innerException">The error TorchSharp raised while loading its natives.</param>
    public TorchUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
