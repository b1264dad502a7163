// exercise: 09.pair-growth
double? pairGrowth = 4; // n(n + 1)/2 pairs: about four times as many when n doubles
