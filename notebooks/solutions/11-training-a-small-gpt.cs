// exercise: 11.lift
// weight on the adjective times the number of visible tokens (1 / uniform weight)
double? lift = controlTrace.Patterns[adj.Head.Layer][adj.Head.Head][control.QueryPosition, control.CuePosition]
    * (control.QueryPosition + 1);
