using AttentionVisually.Bench;
using Spectre.Console.Cli;

// bench [attention] [options] : every attention engine on its own data, interleaved, ratios to torch SDPA
// bench model [options]       : MiniLM's managed forward pass against ONNX Runtime's
// bench products [options]    : the forward passes' matrix products on each route (managed, OpenBLAS, MathNet)
// bench tile [options]        : the flash kernel's three steps on one cached tile, one core, against libtorch's sgemm
// bench memory [options]      : working memory of online-softmax attention at long context
// bench torch-memory [options]: resident memory over many TorchSharp calls
// bench <command> --help lists every option.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 200; // tables written to a file or pipe keep one line per row
}

var app = new CommandApp();
app.SetDefaultCommand<AttentionCommand>();
app.Configure(config =>
{
    config.SetApplicationName("bench");
    config.PropagateExceptions();
    config.UseStrictParsing(); // an unknown option is an error, not silently ignored
    config.AddCommand<AttentionCommand>("attention").WithDescription("Every attention engine on its own data, interleaved; ratios to torch SDPA and libtorch's sgemm rate.");
    config.AddCommand<ModelCommand>("model").WithDescription("MiniLM's managed forward pass against ONNX Runtime's, interleaved, at several token counts.");
    config.AddCommand<ProductsCommand>("products").WithDescription("The forward passes' products Y = X W^T on the managed tiled kernel, OpenBLAS and MathNet, interleaved.");
    config.AddCommand<TileCommand>("tile").WithDescription("The flash kernel's three steps on one cached tile on one core, against libtorch's one-thread sgemm.");
    config.AddCommand<MemoryBench>("memory").WithDescription("Working memory of one long-context attention call.");
    config.AddCommand<TorchMemoryCommand>("torch-memory").WithDescription("Resident memory of the process over many TorchSharp attention calls.");
});
try
{
    return app.Run(args);
}
catch (Exception e) when (e is CommandParseException or CommandRuntimeException)
{
    // A mistyped command or option: its message, not a stack trace; exit code 2 like the runner's bad options.
    Console.Error.WriteLine($"bench: {e.Message} (bench --help lists the commands)");
    return 2;
}
