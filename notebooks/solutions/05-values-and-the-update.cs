// exercise: 05.update
Matrix<float> MyUpdate(Matrix<float> e, Matrix<float> pattern, Matrix<float> v)
{
    // e: (numQueries, dModel), pattern: (numQueries, numKeys), v: (numKeys, dModel)
    var updated = e.Clone();
    for (int i = 0; i < pattern.RowCount; i++)        // query i: column i of the chart
        for (int j = 0; j < pattern.ColumnCount; j++) // key j: its weight in that column
            updated.SetRow(i, updated.Row(i) + pattern[i, j] * v.Row(j));
    return updated; // e′ = e + Δe
}
