using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>One cross-validation split: sorted row indices for training and for testing.</summary>
/// <param name="Train">Rows to train on (ascending).</param>
/// <param name="Test">Rows to test on (ascending).</param>
public readonly record struct FoldSplit(int[] Train, int[] Test);

/// <summary>Stratified k-fold cross-validation splits.</summary>
public static class StratifiedKFold
{
    /// <summary>
    /// Splits rows into <paramref name="folds"/> test folds that keep the class proportions: each class's rows are
    /// shuffled (seeded) and dealt round-robin to the folds, the dealing continuing from one class to the next, so
    /// every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class c and fold sizes differ by at most one.
    /// Deterministic for a given seed. A class with fewer rows than folds is absent from some test folds.
    /// </summary>
    /// <param name="labels">Class index of each row (≥ 0).</param>
    /// <param name="folds">Number of folds, 2 … number of rows.</param>
    /// <param name="seed">Shuffle seed.</param>
    /// <returns>One split per fold; every row is in exactly one test fold.</returns>
    public static IReadOnlyList<FoldSplit> Split(int[] labels, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "folds must be at least 2.");
        if (folds > labels.Length)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"folds must be at most the number of rows ({labels.Length}).");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0) throw new ArgumentException($"Label {labels[i]} at row {i} is negative.", nameof(labels));

        var rng = new Rng(seed);
        var fold = new int[labels.Length];
        int next = 0;
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            rng.Shuffle(rows.AsSpan());
            foreach (var r in rows)
            {
                fold[r] = next;
                next = (next + 1) % folds;
            }
        }
        var splits = new FoldSplit[folds];
        for (int f = 0; f < folds; f++)
        {
            var test = new List<int>();
            var train = new List<int>();
            for (int i = 0; i < fold.Length; i++) (fold[i] == f ? test : train).Add(i);
            splits[f] = new FoldSplit(train.ToArray(), test.ToArray());
        }
        return splits;
    }
}
