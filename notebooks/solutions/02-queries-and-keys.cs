// exercise: 02.forest-prediction
string? forestPrediction = "verdant"; // the adjective just before it

// exercise: 02.scores
Matrix<float> MyScores(Matrix<float> q, Matrix<float> k)
{
    // q: (numQueries, dK), k: (numKeys, dK) → (numQueries, numKeys)
    var scores = Matrix<float>.Build.Dense(q.RowCount, k.RowCount);
    for (int i = 0; i < q.RowCount; i++)
        for (int j = 0; j < k.RowCount; j++)
        {
            float dot = 0;
            for (int d = 0; d < q.ColumnCount; d++) dot += q[i, d] * k[j, d];
            scores[i, j] = dot;
        }
    return scores;
}
