using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace NotebookRunner.Execution;

/// <summary>
/// The private channel between the runner and one kernel process: a Unix domain socket in a folder only the
/// runner's user can open, listening for exactly one connection, which must begin with a random token. The
/// kernel process connects before any cell runs and the listener closes at once, so no cell, process or native
/// library can write protocol; the process's standard output and error stay ordinary output.
/// </summary>
internal sealed class ProtocolListener : IDisposable
{
    /// <summary>Environment variable that tells the kernel process where to connect.</summary>
    public const string PathVariable = "NOTEBOOK_RUNNER_CHANNEL";

    /// <summary>Environment variable with the token the kernel process sends first.</summary>
    public const string TokenVariable = "NOTEBOOK_RUNNER_TOKEN";

    private static readonly Lazy<string> Folder = new(CreateFolder);
    private static int count;
    private readonly Socket listener;

    /// <summary>Creates a socket and listens on it.</summary>
    public ProtocolListener()
    {
        SocketPath = Path.Combine(Folder.Value, $"{Interlocked.Increment(ref count)}.sock");
        Token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
    }

    /// <summary>Path of the socket.</summary>
    public string SocketPath { get; }

    /// <summary>The token the kernel process must send first.</summary>
    public string Token { get; }

    /// <summary>Waits for the kernel process to connect and checks its token; then stops listening.</summary>
    /// <param name="cancel">Cancelled when the process exited or the start timeout passed.</param>
    /// <returns>The stream of protocol lines.</returns>
    /// <exception cref="OperationCanceledException">No connection came in time.</exception>
    /// <exception cref="IOException">The first line was not the token.</exception>
    public async Task<StreamReader> AcceptAsync(CancellationToken cancel)
    {
        var socket = await listener.AcceptAsync(cancel);
        Dispose();
        var reader = new StreamReader(new NetworkStream(socket, ownsSocket: true), new UTF8Encoding(false), false, 1 << 16);
        string? first = await reader.ReadLineAsync(cancel);
        if (first != Token)
        {
            reader.Dispose();
            throw new IOException("a connection to the runner's channel did not present the token.");
        }
        return reader;
    }

    /// <summary>Stops listening and removes the socket file.</summary>
    public void Dispose()
    {
        listener.Dispose();
        try { File.Delete(SocketPath); }
        catch (IOException) { }
    }

    /// <summary>Removes the runner's socket folder (at the end of a run).</summary>
    public static void RemoveFolder()
    {
        if (!Folder.IsValueCreated) return;
        try { Directory.Delete(Folder.Value, recursive: true); }
        catch (IOException) { }
    }

    private static string CreateFolder()
    {
        // Short: a socket path must fit in 108 bytes.
        string path = Path.Combine(Path.GetTempPath(), $"nbr-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary>The kernel process's end of the channel (see <see cref="ProtocolListener"/>).</summary>
internal static class ProtocolClient
{
    /// <summary>
    /// Connects to the runner and sends the token. The variables are removed from this process's environment
    /// first, so processes that cells start do not inherit them.
    /// </summary>
    /// <returns>A writer for protocol lines.</returns>
    /// <exception cref="InvalidOperationException">The process was not started by the runner.</exception>
    public static StreamWriter Connect()
    {
        string? path = Environment.GetEnvironmentVariable(ProtocolListener.PathVariable);
        string? token = Environment.GetEnvironmentVariable(ProtocolListener.TokenVariable);
        Environment.SetEnvironmentVariable(ProtocolListener.PathVariable, null);
        Environment.SetEnvironmentVariable(ProtocolListener.TokenVariable, null);
        if (path is null || token is null)
            throw new InvalidOperationException($"{ChildHost.Flag} is internal to the runner: {ProtocolListener.PathVariable} is not set.");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        var writer = new StreamWriter(new NetworkStream(socket, ownsSocket: true), new UTF8Encoding(false), 1 << 16) { AutoFlush = true };
        writer.WriteLine(token);
        return writer;
    }
}
