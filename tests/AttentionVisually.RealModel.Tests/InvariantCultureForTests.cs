using System.Globalization;
using System.Runtime.CompilerServices;

namespace AttentionVisually.Tests;

/// <summary>
/// The test process runs with ICU (for the Unicode checks of the tokenizer) but formats numbers as the library's
/// hosts do: every thread starts in the invariant culture, whatever the machine's locale.
/// </summary>
internal static class InvariantCultureForTests
{
    [ModuleInitializer]
    internal static void Set()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }
}
