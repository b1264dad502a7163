// exercise: 00.queries-axis
string? queriesAxis = "x"; // each column of the chart is one query; columns run along the horizontal axis
