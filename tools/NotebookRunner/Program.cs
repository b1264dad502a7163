using NotebookRunner;
using NotebookRunner.Execution;

// NotebookRunner: the course's headless notebook runner (see RunnerOptions.Usage).
// "--child FILE [SOLUTIONS]" is internal: the process that executes one chapter for the parent (see ChildHost).
if (args.Length is 2 or 3 && args[0] == ChildHost.Flag)
{
    return await ChildHost.RunAsync(args[1], args.Length == 3 ? args[2] : null);
}

RunnerOptions options;
try
{
    options = RunnerOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(RunnerOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(RunnerOptions.Usage);
    return 0;
}
return await CourseRun.RunAsync(options);
