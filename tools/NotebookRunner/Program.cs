using System.Globalization;
using System.Runtime.InteropServices;
using NotebookRunner;
using NotebookRunner.Execution;
using Spectre.Console;
using Spectre.Console.Cli;

// NotebookRunner: the course's headless notebook runner (run with --help for its options).
// "--child FILE [SOLUTIONS]" is internal: the process that executes one chapter for the parent (see ChildHost).
if (args.Length is 2 or 3 && args[0] == ChildHost.Flag)
{
    return await ChildHost.RunAsync(args[1], args.Length == 3 ? args[2] : null);
}

// A stopped runner stops the chapters it started (they lead their own process groups, see ProcessGroup).
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => ChapterProcess.EndAll());
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => ChapterProcess.EndAll());
using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => ChapterProcess.EndAll());

var app = new CommandApp<RunCommand>();
app.Configure(config =>
{
    config.SetApplicationName("NotebookRunner");
    config.SetApplicationCulture(CultureInfo.InvariantCulture);
    config.UseStrictParsing();
    config.AddExample("notebooks/02-queries-and-keys.dib", "--timeout", "60");
    config.AddExample("--out", "site", "--jobs", "1", "--plain");
    config.SetExceptionHandler((e, _) =>
    {
        // Parse and validation errors: the message and the usage, exit code 2. Anything else is a bug: shown whole.
        if (e is CommandAppException or UsageException)
        {
            AnsiConsole.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
            AnsiConsole.WriteLine("Run with --help for the options.");
            return 2;
        }
        AnsiConsole.WriteException(e);
        return 3;
    });
});
return await app.RunAsync(args);

/// <summary>The runner's one command: run the chapters (see <see cref="CourseRun"/>).</summary>
internal sealed class RunCommand : AsyncCommand<RunnerOptions>
{
    /// <inheritdoc/>
    public override Task<int> ExecuteAsync(CommandContext context, RunnerOptions settings, CancellationToken cancellationToken) =>
        CourseRun.RunAsync(settings);
}
