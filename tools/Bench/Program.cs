using AttentionVisually.Bench;

// bench [speed] [options]   : GFLOP/s of every engine side by side (see README.md)
// bench memory [options]    : working memory of online-softmax attention at long context
// bench torch [options]     : every engine incl. a GPT-2-small-sized block, and resident memory over 10,000 torch calls
var arguments = new Arguments(args);
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 120; // tables written to a file or pipe keep one line per row
}

return arguments.Command switch
{
    "speed" => SpeedBench.Run(arguments),
    "memory" => MemoryBench.Run(arguments),
    "torch" => TorchBenchCommand.Run(arguments),
    _ => Usage(arguments.Command),
};

static int Usage(string command)
{
    Console.Error.WriteLine($"Unknown command '{command}'. Commands: speed (default), memory, torch. See tools/Bench/README.md.");
    return 2;
}
