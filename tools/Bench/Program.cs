using AttentionVisually.Bench;
using Spectre.Console.Cli;

// bench [attention] [options] : every attention engine on its own data, interleaved, ratios to torch SDPA
// bench model [options]       : MiniLM's managed forward pass against ONNX Runtime's
// bench products [options]    : the forward passes' matrix products on each route (managed, OpenBLAS, MathNet)
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
    config.AddCommand<AttentionCommand>("attention").WithDescription("Every attention engine on its own data, interleaved; ratios to torch SDPA and libtorch's sgemm rate.");
    config.AddCommand<ModelCommand>("model").WithDescription("MiniLM's managed forward pass against ONNX Runtime's, interleaved, at several token counts.");
    config.AddCommand<ProductsCommand>("products").WithDescription("The forward passes' products Y = X W^T on the managed tiled kernel, OpenBLAS and MathNet, interleaved.");
    config.AddCommand<MemoryBench>("memory").WithDescription("Working memory of one long-context attention call.");
    config.AddCommand<TorchMemoryCommand>("torch-memory").WithDescription("Resident memory of the process over many TorchSharp attention calls.");
});
return app.Run(args);
