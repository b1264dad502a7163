using NotebookRunner.Documents;
using NotebookRunner.Execution;

namespace NotebookRunner.Output;

/// <summary>
/// The two editions of a chapter run with its reference solutions (<c>--solutions</c>): the learner's, written
/// to the output folder (exercise cells as their blank stubs, the outputs of their check cells and of the progress
/// line replaced by a note, no solution text anywhere), and the instructor's, written to <c>instructor/</c>
/// (solutions shown, folded).
/// </summary>
internal static class Editions
{
    /// <summary>The note that stands in the learner's edition where a check's output would give the solution away.</summary>
    public const string CheckNote = "Run this cell in your own copy of the chapter: it checks your answer to the exercise above (blank: \"not attempted yet\").";

    /// <summary>The folder of the instructor's edition, inside the output folder.</summary>
    public const string InstructorFolder = "instructor";

    /// <summary>The learner's view of a run: stubs instead of solutions, check outputs replaced by a note.</summary>
    /// <param name="run">The chapter as run, with solutions in place.</param>
    /// <param name="learner">The chapter as the learner has it (the same cells, stubs in the marked ones).</param>
    /// <returns>A result to write as the learner's edition.</returns>
    public static ChapterResult Learner(ChapterResult run, ChapterDocument learner)
    {
        var view = new ChapterResult(learner) { ChapterError = run.ChapterError, KernelStart = run.KernelStart, Duration = run.Duration };
        bool afterExercise = false;
        for (int i = 0; i < view.Cells.Count && i < run.Cells.Count; i++)
        {
            var source = run.Cells[i];
            var target = view.Cells[i];
            target.Status = source.Status;
            target.Duration = source.Duration;
            string? id = ExerciseSolutions.IdOf(target.Cell);
            bool exercise = id is not null;
            bool hidden = exercise || (afterExercise && !target.Cell.IsMarkdown) || IsProgressLine(target.Cell);
            if (hidden)
            {
                if (!exercise && source.Outputs.Count > 0)
                    target.Outputs.Add(new CellOutput { Kind = "display", Data = { ["text/plain"] = CheckNote } });
            }
            else
            {
                target.Outputs.AddRange(source.Outputs);
                target.Error = source.Error;
                target.Trace = source.Trace;
            }
            // A check cell follows a build-it or worked-out exercise; a prediction's reveal comes later (IsProgressLine).
            if (!target.Cell.IsMarkdown) afterExercise = exercise && !id!.EndsWith("-prediction", StringComparison.Ordinal);
        }
        return view;
    }

    /// <summary>The cells of a run whose code is a reference solution, to fold in the instructor's edition.</summary>
    /// <param name="run">The chapter as run.</param>
    /// <returns>Cell numbers.</returns>
    public static IReadOnlySet<int> SolutionCells(ChapterResult run) =>
        run.Cells.Where(c => ExerciseSolutions.IdOf(c.Cell) is not null).Select(c => c.Cell.Number).ToHashSet();

    /// <summary>
    /// A cell whose output speaks of the learner's answers, and so would give the solutions away: the progress line
    /// ("exercises done: k of n") and a prediction's reveal ("you predicted …").
    /// </summary>
    /// <param name="cell">A cell.</param>
    /// <returns>True for those cells.</returns>
    public static bool IsProgressLine(Cell cell) => !cell.IsMarkdown &&
        (cell.Code.Contains("ExerciseBook.Done(", StringComparison.Ordinal) || cell.Code.Contains("Answers.Reveal(", StringComparison.Ordinal));
}
