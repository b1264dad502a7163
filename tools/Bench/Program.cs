using AttentionVisually.Bench;

// bench [speed] [options]   : GFLOP/s of every engine side by side (see README.md)
// bench memory [options]    : working memory of online-softmax attention at long context
var arguments = new Arguments(args);
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 120; // tables written to a file or pipe keep one line per row
}

return arguments.Command switch
{
    "speed" => SpeedBench.Run(arguments),
    "memory" => MemoryBench.Run(arguments),
    _ => Usage(arguments.Command),
};

static int Usage(string command)
{
    Console.Error.WriteLine($"Unknown command '{command}'. Commands: speed (default), memory. See tools/Bench/README.md.");
    return 2;
}
