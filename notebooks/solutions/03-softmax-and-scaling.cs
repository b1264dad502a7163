// exercise: 03.temperature-prediction
string? temperatureLimit = "largest"; // as T → 0, all the weight goes to the largest score

// exercise: 03.softmax
Matrix<float> MySoftmax(Matrix<float> scores, int dK, float temperature)
{
    // scores: (numQueries, numKeys); each row is one query (one column of the chart)
    var weights = Matrix<float>.Build.Dense(scores.RowCount, scores.ColumnCount);
    double divisor = Math.Sqrt(dK) * temperature;
    for (int i = 0; i < scores.RowCount; i++)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < scores.ColumnCount; j++) max = Math.Max(max, scores[i, j] / divisor);
        if (double.IsNegativeInfinity(max)) continue; // every key masked: zeros, not NaN
        double sum = 0;
        for (int j = 0; j < scores.ColumnCount; j++) sum += Math.Exp(scores[i, j] / divisor - max);
        for (int j = 0; j < scores.ColumnCount; j++)
            weights[i, j] = (float)(Math.Exp(scores[i, j] / divisor - max) / sum);
    }
    return weights;
}
